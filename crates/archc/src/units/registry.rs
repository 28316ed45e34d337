//! The unit registry: built-in units plus the `unit` declarations of one model. It resolves
//! names (with the prefix rule of [`crate::units`]), suggests near names for typos, and
//! accepts new base and derived units from the checker.

use super::builtin::{self, BASE_NAMES, BUILTINS, DIM_NAMES};
use super::{Dim, Unit, UnitError, FIRST_USER_DIM, NDIMS};
use std::collections::HashMap;

/// A unit declared by the model (`unit gpu`, `unit rack = 42 core`).
#[derive(Clone, Debug)]
struct Declared {
    name: String,
    unit: Unit,
}

/// All units known while checking one model: the built-ins and the model's declarations.
#[derive(Clone, Debug)]
pub struct UnitRegistry {
    /// Exact built-in names and aliases, to their unit.
    builtin_names: HashMap<&'static str, Unit>,
    /// User declarations in declaration order.
    declared: Vec<Declared>,
    /// Name of each user base dimension (index `FIRST_USER_DIM + i`).
    user_dims: Vec<String>,
}

impl Default for UnitRegistry {
    fn default() -> Self {
        Self::new()
    }
}

impl UnitRegistry {
    /// A registry holding every built-in unit and no declarations.
    pub fn new() -> Self {
        let mut builtin_names = HashMap::new();
        for b in BUILTINS {
            let unit = b.unit();
            builtin_names.insert(b.name, unit);
            for a in b.aliases {
                builtin_names.insert(*a, unit);
            }
        }
        UnitRegistry {
            builtin_names,
            declared: Vec::new(),
            user_dims: Vec::new(),
        }
    }

    /// The unit a single name denotes: an exact built-in or declared name, or a prefix
    /// applied to a built-in that accepts it (`GiB`, `kWh`, `ms`).
    pub fn lookup(&self, name: &str) -> Option<Unit> {
        if let Some(u) = self.builtin_names.get(name) {
            return Some(*u);
        }
        if let Some(d) = self.declared.iter().find(|d| d.name == name) {
            return Some(d.unit);
        }
        builtin::split_prefixed(name).map(|(prefix, b)| b.unit().scaled(prefix.factor))
    }

    /// Declares a new base unit with its own dimension, named after it (`unit gpu`).
    pub fn declare_base(&mut self, name: &str) -> Result<Unit, UnitError> {
        self.check_new_name(name)?;
        let index = FIRST_USER_DIM + self.user_dims.len();
        if index >= NDIMS {
            return Err(UnitError::TooManyBaseUnits);
        }
        let unit = Unit::new(Dim::base(index), 1.0);
        self.user_dims.push(name.to_string());
        self.declared.push(Declared {
            name: name.to_string(),
            unit,
        });
        Ok(unit)
    }

    /// Declares a name for an existing unit (`unit rack = 42 core`).
    pub fn declare_derived(&mut self, name: &str, unit: Unit) -> Result<(), UnitError> {
        self.check_new_name(name)?;
        if !(unit.scale.is_finite() && unit.scale > 0.0) {
            return Err(UnitError::Syntax {
                message: format!("the unit `{name}` needs a positive, finite size"),
                start: 0,
                end: name.len(),
            });
        }
        self.declared.push(Declared {
            name: name.to_string(),
            unit,
        });
        Ok(())
    }

    fn check_new_name(&self, name: &str) -> Result<(), UnitError> {
        if !is_unit_name(name) {
            return Err(UnitError::Syntax {
                message: format!(
                    "`{name}` cannot name a unit: use letters, digits and `_`, starting with a letter"
                ),
                start: 0,
                end: name.len(),
            });
        }
        if self.lookup(name).is_some() {
            return Err(UnitError::Taken {
                name: name.to_string(),
            });
        }
        Ok(())
    }

    /// Every name worth offering in completion: built-in names, aliases, the common prefixed
    /// forms (`GiB`, `Gbps`, `ms`, ...) and declared units, in definition order.
    pub fn names(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for b in BUILTINS {
            out.push(b.name.to_string());
            out.extend(b.aliases.iter().map(|a| a.to_string()));
            out.extend(b.common.iter().map(|c| c.to_string()));
        }
        out.extend(self.declared.iter().map(|d| d.name.clone()));
        out
    }

    /// The names used when printing units, with their units, most preferred first:
    /// canonical built-in names, their common prefixed forms, then declarations.
    pub(crate) fn display_candidates(&self) -> Vec<(String, Unit)> {
        let mut out = Vec::new();
        for b in BUILTINS {
            out.push((b.name.to_string(), b.unit()));
            for c in b.common {
                if let Some(u) = self.lookup(c) {
                    out.push((c.to_string(), u));
                }
            }
        }
        for d in &self.declared {
            out.push((d.name.clone(), d.unit));
        }
        out
    }

    /// Name of the base unit of dimension `index`, if that dimension exists.
    pub(crate) fn base_unit_name(&self, index: usize) -> Option<&str> {
        if index < FIRST_USER_DIM {
            BASE_NAMES.get(index).copied()
        } else {
            self.user_dims
                .get(index - FIRST_USER_DIM)
                .map(|s| s.as_str())
        }
    }

    /// Name of dimension `index`: `compute`, `time`, ..., or the user unit that created it.
    pub(crate) fn base_dim_name(&self, index: usize) -> String {
        if index < FIRST_USER_DIM {
            DIM_NAMES
                .get(index)
                .map(|s| s.to_string())
                .unwrap_or_default()
        } else {
            self.user_dims
                .get(index - FIRST_USER_DIM)
                .cloned()
                .unwrap_or_else(|| format!("dim{index}"))
        }
    }

    /// The closest known name to an unknown one: an exact match ignoring case first
    /// (`gib` → `GiB`), else the nearest by edit distance when it is close enough. Names of
    /// one or two characters only get case-insensitive suggestions: everything short is
    /// one edit away from them.
    pub fn suggest(&self, unknown: &str) -> Option<String> {
        let names = self.names();
        let lower = unknown.to_lowercase();
        if let Some(n) = names.iter().find(|n| n.to_lowercase() == lower) {
            return Some(n.clone());
        }
        let len = unknown.chars().count();
        let limit = match len {
            0..=2 => return None,
            3..=5 => 1,
            6..=8 => 2,
            _ => 3,
        };
        let mut best: Option<(usize, usize, &String)> = None;
        for n in &names {
            let folded = strsim::damerau_levenshtein(&lower, &n.to_lowercase());
            if folded > limit {
                continue;
            }
            let exact = strsim::damerau_levenshtein(unknown, n);
            let better = match best {
                None => true,
                Some((bf, be, _)) => (folded, exact) < (bf, be),
            };
            if better {
                best = Some((folded, exact, n));
            }
        }
        best.map(|(_, _, n)| n.clone())
    }
}

/// True for text that can name a unit: a letter or `_`, then letters, digits or `_`.
pub(crate) fn is_unit_name(name: &str) -> bool {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) if c.is_alphabetic() || c == '_' => {}
        _ => return false,
    }
    chars.all(|c| c.is_alphanumeric() || c == '_')
}
