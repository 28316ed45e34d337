//! The diagnostic codes: one [`Code`] enum, and the title and long explanation of each code
//! (`archc explain CODE` prints them). Codes come in ranges per phase: E01xx syntax, E02xx
//! names, E03xx types, E04xx units, E05xx data, E06xx lowering, E07xx solving; a `W` code is a
//! warning. A retired code is never reused. The texts live in one file per range; no phase
//! imports them.

mod data;
mod lowering;
mod names;
mod solve;
mod syntax;
mod types;
mod units;

use serde::{Serialize, Serializer};

/// Every diagnostic code archc reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Code {
    E0101,
    E0102,
    E0103,
    E0104,
    E0105,
    E0106,
    E0201,
    E0202,
    E0203,
    E0204,
    E0205,
    E0206,
    E0207,
    E0208,
    E0209,
    E0210,
    E0212,
    E0213,
    E0214,
    E0215,
    E0216,
    E0217,
    E0220,
    E0221,
    E0222,
    E0223,
    E0240,
    E0241,
    E0250,
    E0251,
    E0255,
    E0301,
    E0302,
    E0303,
    E0304,
    E0305,
    E0306,
    E0307,
    E0308,
    E0309,
    E0310,
    E0311,
    E0312,
    E0320,
    E0330,
    E0331,
    E0332,
    E0333,
    E0334,
    E0340,
    E0341,
    E0342,
    E0350,
    E0351,
    E0352,
    E0353,
    E0354,
    E0355,
    E0356,
    E0401,
    E0402,
    E0403,
    E0404,
    E0405,
    E0406,
    E0407,
    E0415,
    E0416,
    E0501,
    E0502,
    E0503,
    E0504,
    E0505,
    E0506,
    E0507,
    E0508,
    W0509,
    E0510,
    E0511,
    E0512,
    E0513,
    E0514,
    W0515,
    E0540,
    E0541,
    E0542,
    E0543,
    E0544,
    E0545,
    E0546,
    E0550,
    W0551,
    E0560,
    E0561,
    E0562,
    E0563,
    E0564,
    E0565,
    E0566,
    E0567,
    E0580,
    E0585,
    E0586,
    E0587,
    E0588,
    E0589,
    E0601,
    E0602,
    E0603,
    E0604,
    E0605,
    E0606,
    E0607,
    E0609,
    E0610,
    E0611,
    E0612,
    E0613,
    E0614,
    E0615,
    E0616,
    E0617,
    E0618,
    E0619,
    E0620,
    W0621,
    E0630,
    E0631,
    E0632,
    E0640,
    E0641,
    E0642,
    E0643,
    E0644,
    E0650,
    E0651,
    E0660,
    E0661,
    E0701,
    E0702,
    E0703,
    E0710,
    E0711,
    E0712,
    E0713,
    E0720,
    E0721,
    E0722,
    E0730,
    E0731,
    E0732,
    E0740,
    E0741,
    E0742,
    E0743,
    E0744,
    E0745,
    E0746,
    E0747,
    E0748,
    E0750,
}

impl Code {
    /// The code as written in messages, e.g. `E0402`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::E0101 => "E0101",
            Code::E0102 => "E0102",
            Code::E0103 => "E0103",
            Code::E0104 => "E0104",
            Code::E0105 => "E0105",
            Code::E0106 => "E0106",
            Code::E0201 => "E0201",
            Code::E0202 => "E0202",
            Code::E0203 => "E0203",
            Code::E0204 => "E0204",
            Code::E0205 => "E0205",
            Code::E0206 => "E0206",
            Code::E0207 => "E0207",
            Code::E0208 => "E0208",
            Code::E0209 => "E0209",
            Code::E0210 => "E0210",
            Code::E0212 => "E0212",
            Code::E0213 => "E0213",
            Code::E0214 => "E0214",
            Code::E0215 => "E0215",
            Code::E0216 => "E0216",
            Code::E0217 => "E0217",
            Code::E0220 => "E0220",
            Code::E0221 => "E0221",
            Code::E0222 => "E0222",
            Code::E0223 => "E0223",
            Code::E0240 => "E0240",
            Code::E0241 => "E0241",
            Code::E0250 => "E0250",
            Code::E0251 => "E0251",
            Code::E0255 => "E0255",
            Code::E0301 => "E0301",
            Code::E0302 => "E0302",
            Code::E0303 => "E0303",
            Code::E0304 => "E0304",
            Code::E0305 => "E0305",
            Code::E0306 => "E0306",
            Code::E0307 => "E0307",
            Code::E0308 => "E0308",
            Code::E0309 => "E0309",
            Code::E0310 => "E0310",
            Code::E0311 => "E0311",
            Code::E0312 => "E0312",
            Code::E0320 => "E0320",
            Code::E0330 => "E0330",
            Code::E0331 => "E0331",
            Code::E0332 => "E0332",
            Code::E0333 => "E0333",
            Code::E0334 => "E0334",
            Code::E0340 => "E0340",
            Code::E0341 => "E0341",
            Code::E0342 => "E0342",
            Code::E0350 => "E0350",
            Code::E0351 => "E0351",
            Code::E0352 => "E0352",
            Code::E0353 => "E0353",
            Code::E0354 => "E0354",
            Code::E0355 => "E0355",
            Code::E0356 => "E0356",
            Code::E0401 => "E0401",
            Code::E0402 => "E0402",
            Code::E0403 => "E0403",
            Code::E0404 => "E0404",
            Code::E0405 => "E0405",
            Code::E0406 => "E0406",
            Code::E0407 => "E0407",
            Code::E0415 => "E0415",
            Code::E0416 => "E0416",
            Code::E0501 => "E0501",
            Code::E0502 => "E0502",
            Code::E0503 => "E0503",
            Code::E0504 => "E0504",
            Code::E0505 => "E0505",
            Code::E0506 => "E0506",
            Code::E0507 => "E0507",
            Code::E0508 => "E0508",
            Code::W0509 => "W0509",
            Code::E0510 => "E0510",
            Code::E0511 => "E0511",
            Code::E0512 => "E0512",
            Code::E0513 => "E0513",
            Code::E0514 => "E0514",
            Code::W0515 => "W0515",
            Code::E0540 => "E0540",
            Code::E0541 => "E0541",
            Code::E0542 => "E0542",
            Code::E0543 => "E0543",
            Code::E0544 => "E0544",
            Code::E0545 => "E0545",
            Code::E0546 => "E0546",
            Code::E0550 => "E0550",
            Code::E0585 => "E0585",
            Code::E0586 => "E0586",
            Code::E0587 => "E0587",
            Code::E0588 => "E0588",
            Code::E0589 => "E0589",
            Code::E0580 => "E0580",
            Code::W0551 => "W0551",
            Code::E0560 => "E0560",
            Code::E0561 => "E0561",
            Code::E0562 => "E0562",
            Code::E0563 => "E0563",
            Code::E0564 => "E0564",
            Code::E0565 => "E0565",
            Code::E0566 => "E0566",
            Code::E0567 => "E0567",
            Code::E0601 => "E0601",
            Code::E0602 => "E0602",
            Code::E0603 => "E0603",
            Code::E0604 => "E0604",
            Code::E0605 => "E0605",
            Code::E0606 => "E0606",
            Code::E0607 => "E0607",
            Code::E0609 => "E0609",
            Code::E0610 => "E0610",
            Code::E0611 => "E0611",
            Code::E0612 => "E0612",
            Code::E0613 => "E0613",
            Code::E0614 => "E0614",
            Code::E0615 => "E0615",
            Code::E0616 => "E0616",
            Code::E0617 => "E0617",
            Code::E0618 => "E0618",
            Code::E0619 => "E0619",
            Code::E0620 => "E0620",
            Code::W0621 => "W0621",
            Code::E0630 => "E0630",
            Code::E0631 => "E0631",
            Code::E0632 => "E0632",
            Code::E0640 => "E0640",
            Code::E0641 => "E0641",
            Code::E0642 => "E0642",
            Code::E0643 => "E0643",
            Code::E0644 => "E0644",
            Code::E0650 => "E0650",
            Code::E0651 => "E0651",
            Code::E0660 => "E0660",
            Code::E0661 => "E0661",
            Code::E0701 => "E0701",
            Code::E0702 => "E0702",
            Code::E0703 => "E0703",
            Code::E0710 => "E0710",
            Code::E0711 => "E0711",
            Code::E0712 => "E0712",
            Code::E0713 => "E0713",
            Code::E0720 => "E0720",
            Code::E0721 => "E0721",
            Code::E0722 => "E0722",
            Code::E0730 => "E0730",
            Code::E0731 => "E0731",
            Code::E0732 => "E0732",
            Code::E0740 => "E0740",
            Code::E0741 => "E0741",
            Code::E0742 => "E0742",
            Code::E0743 => "E0743",
            Code::E0744 => "E0744",
            Code::E0745 => "E0745",
            Code::E0746 => "E0746",
            Code::E0747 => "E0747",
            Code::E0748 => "E0748",
            Code::E0750 => "E0750",
        }
    }

    /// The code written as text (any case), if it exists.
    pub fn parse(text: &str) -> Option<Code> {
        match text.to_ascii_uppercase().as_str() {
            "E0101" => Some(Code::E0101),
            "E0102" => Some(Code::E0102),
            "E0103" => Some(Code::E0103),
            "E0104" => Some(Code::E0104),
            "E0105" => Some(Code::E0105),
            "E0106" => Some(Code::E0106),
            "E0201" => Some(Code::E0201),
            "E0202" => Some(Code::E0202),
            "E0203" => Some(Code::E0203),
            "E0204" => Some(Code::E0204),
            "E0205" => Some(Code::E0205),
            "E0206" => Some(Code::E0206),
            "E0207" => Some(Code::E0207),
            "E0208" => Some(Code::E0208),
            "E0209" => Some(Code::E0209),
            "E0210" => Some(Code::E0210),
            "E0212" => Some(Code::E0212),
            "E0213" => Some(Code::E0213),
            "E0214" => Some(Code::E0214),
            "E0215" => Some(Code::E0215),
            "E0216" => Some(Code::E0216),
            "E0217" => Some(Code::E0217),
            "E0220" => Some(Code::E0220),
            "E0221" => Some(Code::E0221),
            "E0222" => Some(Code::E0222),
            "E0223" => Some(Code::E0223),
            "E0240" => Some(Code::E0240),
            "E0241" => Some(Code::E0241),
            "E0250" => Some(Code::E0250),
            "E0251" => Some(Code::E0251),
            "E0255" => Some(Code::E0255),
            "E0301" => Some(Code::E0301),
            "E0302" => Some(Code::E0302),
            "E0303" => Some(Code::E0303),
            "E0304" => Some(Code::E0304),
            "E0305" => Some(Code::E0305),
            "E0306" => Some(Code::E0306),
            "E0307" => Some(Code::E0307),
            "E0308" => Some(Code::E0308),
            "E0309" => Some(Code::E0309),
            "E0310" => Some(Code::E0310),
            "E0311" => Some(Code::E0311),
            "E0312" => Some(Code::E0312),
            "E0320" => Some(Code::E0320),
            "E0330" => Some(Code::E0330),
            "E0331" => Some(Code::E0331),
            "E0332" => Some(Code::E0332),
            "E0333" => Some(Code::E0333),
            "E0334" => Some(Code::E0334),
            "E0340" => Some(Code::E0340),
            "E0341" => Some(Code::E0341),
            "E0342" => Some(Code::E0342),
            "E0350" => Some(Code::E0350),
            "E0351" => Some(Code::E0351),
            "E0352" => Some(Code::E0352),
            "E0353" => Some(Code::E0353),
            "E0354" => Some(Code::E0354),
            "E0355" => Some(Code::E0355),
            "E0356" => Some(Code::E0356),
            "E0401" => Some(Code::E0401),
            "E0402" => Some(Code::E0402),
            "E0403" => Some(Code::E0403),
            "E0404" => Some(Code::E0404),
            "E0405" => Some(Code::E0405),
            "E0406" => Some(Code::E0406),
            "E0407" => Some(Code::E0407),
            "E0415" => Some(Code::E0415),
            "E0416" => Some(Code::E0416),
            "E0501" => Some(Code::E0501),
            "E0502" => Some(Code::E0502),
            "E0503" => Some(Code::E0503),
            "E0504" => Some(Code::E0504),
            "E0505" => Some(Code::E0505),
            "E0506" => Some(Code::E0506),
            "E0507" => Some(Code::E0507),
            "E0508" => Some(Code::E0508),
            "W0509" => Some(Code::W0509),
            "E0510" => Some(Code::E0510),
            "E0511" => Some(Code::E0511),
            "E0512" => Some(Code::E0512),
            "E0513" => Some(Code::E0513),
            "E0514" => Some(Code::E0514),
            "W0515" => Some(Code::W0515),
            "E0540" => Some(Code::E0540),
            "E0541" => Some(Code::E0541),
            "E0542" => Some(Code::E0542),
            "E0543" => Some(Code::E0543),
            "E0544" => Some(Code::E0544),
            "E0545" => Some(Code::E0545),
            "E0546" => Some(Code::E0546),
            "E0550" => Some(Code::E0550),
            "E0585" => Some(Code::E0585),
            "E0586" => Some(Code::E0586),
            "E0587" => Some(Code::E0587),
            "E0588" => Some(Code::E0588),
            "E0589" => Some(Code::E0589),
            "E0580" => Some(Code::E0580),
            "W0551" => Some(Code::W0551),
            "E0560" => Some(Code::E0560),
            "E0561" => Some(Code::E0561),
            "E0562" => Some(Code::E0562),
            "E0563" => Some(Code::E0563),
            "E0564" => Some(Code::E0564),
            "E0565" => Some(Code::E0565),
            "E0566" => Some(Code::E0566),
            "E0567" => Some(Code::E0567),
            "E0601" => Some(Code::E0601),
            "E0602" => Some(Code::E0602),
            "E0603" => Some(Code::E0603),
            "E0604" => Some(Code::E0604),
            "E0605" => Some(Code::E0605),
            "E0606" => Some(Code::E0606),
            "E0607" => Some(Code::E0607),
            "E0609" => Some(Code::E0609),
            "E0610" => Some(Code::E0610),
            "E0611" => Some(Code::E0611),
            "E0612" => Some(Code::E0612),
            "E0613" => Some(Code::E0613),
            "E0614" => Some(Code::E0614),
            "E0615" => Some(Code::E0615),
            "E0616" => Some(Code::E0616),
            "E0617" => Some(Code::E0617),
            "E0618" => Some(Code::E0618),
            "E0619" => Some(Code::E0619),
            "E0620" => Some(Code::E0620),
            "W0621" => Some(Code::W0621),
            "E0630" => Some(Code::E0630),
            "E0631" => Some(Code::E0631),
            "E0632" => Some(Code::E0632),
            "E0640" => Some(Code::E0640),
            "E0641" => Some(Code::E0641),
            "E0642" => Some(Code::E0642),
            "E0643" => Some(Code::E0643),
            "E0644" => Some(Code::E0644),
            "E0650" => Some(Code::E0650),
            "E0651" => Some(Code::E0651),
            "E0660" => Some(Code::E0660),
            "E0661" => Some(Code::E0661),
            "E0701" => Some(Code::E0701),
            "E0702" => Some(Code::E0702),
            "E0703" => Some(Code::E0703),
            "E0710" => Some(Code::E0710),
            "E0711" => Some(Code::E0711),
            "E0712" => Some(Code::E0712),
            "E0713" => Some(Code::E0713),
            "E0720" => Some(Code::E0720),
            "E0721" => Some(Code::E0721),
            "E0722" => Some(Code::E0722),
            "E0730" => Some(Code::E0730),
            "E0731" => Some(Code::E0731),
            "E0732" => Some(Code::E0732),
            "E0740" => Some(Code::E0740),
            "E0741" => Some(Code::E0741),
            "E0742" => Some(Code::E0742),
            "E0743" => Some(Code::E0743),
            "E0744" => Some(Code::E0744),
            "E0745" => Some(Code::E0745),
            "E0746" => Some(Code::E0746),
            "E0747" => Some(Code::E0747),
            "E0748" => Some(Code::E0748),
            "E0750" => Some(Code::E0750),
            _ => None,
        }
    }

    /// The code's title and long explanation.
    pub fn info(self) -> &'static CodeInfo {
        all()
            .into_iter()
            .find(|c| c.code == self)
            .expect("every code has its text (tested)")
    }

    /// One line naming the problem, e.g. "cannot add values of different units".
    pub fn title(self) -> &'static str {
        self.info().title
    }

    /// Long text: what it means, an example, how to fix it.
    pub fn explanation(self) -> &'static str {
        self.info().explanation
    }

    pub fn is_warning(self) -> bool {
        self.as_str().starts_with('W')
    }

    /// The phase that reports this code, from its range.
    pub fn phase(self) -> Phase {
        match &self.as_str()[1..3] {
            "01" => Phase::Syntax,
            "02" => Phase::Names,
            "03" => Phase::Types,
            "04" => Phase::Units,
            "05" => Phase::Data,
            "06" => Phase::Lowering,
            _ => Phase::Solve,
        }
    }
}

/// The phases, by code range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// E01xx
    Syntax,
    /// E02xx
    Names,
    /// E03xx
    Types,
    /// E04xx
    Units,
    /// E05xx
    Data,
    /// E06xx
    Lowering,
    /// E07xx
    Solve,
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One diagnostic code with its texts.
#[derive(Clone, Copy, Debug)]
pub struct CodeInfo {
    pub code: Code,
    pub title: &'static str,
    /// Long text: what it means, an example, how to fix it.
    pub explanation: &'static str,
}

const fn info(code: Code, title: &'static str, explanation: &'static str) -> CodeInfo {
    CodeInfo {
        code,
        title,
        explanation,
    }
}

/// Every code with its texts, sorted by number.
pub fn all() -> Vec<&'static CodeInfo> {
    let tables: [&'static [CodeInfo]; 7] = [
        syntax::TABLE,
        names::TABLE,
        types::TABLE,
        units::TABLE,
        data::TABLE,
        lowering::TABLE,
        solve::TABLE,
    ];
    let mut v: Vec<&'static CodeInfo> = tables.iter().flat_map(|t| t.iter()).collect();
    v.sort_by_key(|c| (&c.code.as_str()[1..], c.code.as_str()));
    v
}

/// The code written as text, with its texts.
pub fn lookup(code: &str) -> Option<&'static CodeInfo> {
    Code::parse(code).map(Code::info)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_exactly_one_text_in_its_range() {
        let all = all();
        assert_eq!(all.len(), 161);
        for (i, c) in all.iter().enumerate() {
            assert!(
                all[..i].iter().all(|d| d.code != c.code),
                "{} twice",
                c.code
            );
            assert_eq!(Code::parse(c.code.as_str()), Some(c.code));
            assert!(!c.title.is_empty() && !c.explanation.is_empty());
        }
    }
}
