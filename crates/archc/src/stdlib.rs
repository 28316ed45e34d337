//! The standard library: modules written in Arch, embedded in the binary. `use std.NAME`
//! loads `stdlib/NAME.arch`.

/// (module name, source text)
pub const MODULES: &[(&str, &str)] = &[
    ("infra", include_str!("../../../stdlib/infra.arch")),
    ("placement", include_str!("../../../stdlib/placement.arch")),
    ("routing", include_str!("../../../stdlib/routing.arch")),
    ("capacity", include_str!("../../../stdlib/capacity.arch")),
    ("risk", include_str!("../../../stdlib/risk.arch")),
];

/// The source of `std.NAME`.
pub fn module(name: &str) -> Option<&'static str> {
    MODULES.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// Names of all modules, as written after `use` (`std.infra`).
pub fn module_names() -> Vec<String> {
    MODULES.iter().map(|(n, _)| format!("std.{n}")).collect()
}

/// The built-in kinds every model has, with the attributes that are part of the language
/// (links join two regions through `src` and `dst`).
pub const PRELUDE: &str = "kind region {}\nkind zone {}\nkind service {}\nkind link { src: region, dst: region }\nkind dataset {}\n";
