//! The symbols of one analysis in the form the language server asks questions of: the
//! declarations and the uses of each. When the analysis carries the checker's symbols and
//! references they are used as they are; when it carries none (only the parse succeeded,
//! or the analysis is parse-only), an outline is derived from the AST and uses are matched
//! by name, so navigation and hover still work on a model that does not check.

use archc::analysis::{Analysis, Symbol, SymbolKind};
use archc::span::{FileId, Span};
use archc::syntax::ast::{self, Item, ItemKind};
use archc::syntax::lexer::{self, TokenKind};
use std::collections::{HashMap, HashSet};

/// Declarations and uses, with a scope for names that are local to a declaration.
#[derive(Debug, Default)]
pub struct SymbolIndex {
    pub decls: Vec<Symbol>,
    /// For each declaration: the span it is visible in (index variables), or `None` for
    /// names visible everywhere.
    pub scopes: Vec<Option<Span>>,
    /// Uses: span and index into `decls`.
    pub refs: Vec<(Span, usize)>,
    /// True when the declarations come from the checker rather than from the AST.
    pub from_checker: bool,
}

impl SymbolIndex {
    /// Build the index of an analysis whose main file is `main`.
    pub fn build(analysis: &Analysis, main: FileId) -> Self {
        if analysis.symbols.is_empty() {
            return Self::from_ast(analysis, main);
        }
        let decls = analysis.symbols.clone();
        let scopes = decls
            .iter()
            .map(|s| {
                if s.kind != SymbolKind::IndexVar {
                    return None;
                }
                let file = analysis
                    .files
                    .iter()
                    .find(|(id, _)| *id == s.span.file)
                    .map(|(_, f)| f)?;
                innermost_item(&file.items, s.span.start as usize).map(|i| i.span)
            })
            .collect();
        let refs = analysis
            .references
            .iter()
            .filter(|r| (r.symbol.0 as usize) < decls.len())
            .map(|r| (r.span, r.symbol.0 as usize))
            .collect();
        SymbolIndex {
            decls,
            scopes,
            refs,
            from_checker: true,
        }
    }

    /// The declaration named or used at a byte offset of a file.
    pub fn at(&self, file: FileId, offset: usize) -> Option<usize> {
        self.refs
            .iter()
            .find(|(s, _)| s.file == file && s.contains_offset(offset))
            .map(|&(_, d)| d)
            .or_else(|| {
                self.decls
                    .iter()
                    .position(|d| d.span.file == file && d.span.contains_offset(offset))
            })
    }

    /// The declaration and every use of a declaration.
    pub fn occurrences(&self, decl: usize) -> Vec<Span> {
        let mut v: Vec<Span> = self.decls.get(decl).map(|d| d.span).into_iter().collect();
        v.extend(
            self.refs
                .iter()
                .filter(|&&(_, d)| d == decl)
                .map(|&(s, _)| s),
        );
        v.sort();
        v.dedup();
        v
    }

    /// A declaration by name, preferring names visible everywhere.
    pub fn by_name(&self, name: &str) -> Option<usize> {
        let mut found = None;
        for (i, d) in self.decls.iter().enumerate() {
            if d.name == name {
                if self.scopes[i].is_none() {
                    return Some(i);
                }
                found.get_or_insert(i);
            }
        }
        found
    }

    /// Whether a declaration is visible at an offset of a file.
    pub fn visible_at(&self, decl: usize, file: FileId, offset: usize) -> bool {
        match self.scopes.get(decl).copied().flatten() {
            None => true,
            Some(scope) => scope.file == file && scope.contains_offset(offset),
        }
    }

    /// The parse-only index: declarations from the AST of the main file, uses by name.
    fn from_ast(analysis: &Analysis, main: FileId) -> Self {
        let mut index = SymbolIndex::default();
        let Some((_, file)) = analysis.files.iter().find(|(id, _)| *id == main) else {
            return index;
        };
        let text = analysis.sources.text(main);
        index.collect_items(text, &file.items);
        index.match_uses(text, main);
        index
    }

    fn push(&mut self, sym: Symbol, scope: Option<Span>) {
        self.decls.push(sym);
        self.scopes.push(scope);
    }

    fn collect_items(&mut self, text: &str, items: &[Item]) {
        for item in items {
            let detail = first_line(text, item);
            if let Some(name) = item.kind.name() {
                let is_link = matches!(&item.kind, ItemKind::Entity(e) if e.link.is_some());
                if !is_link {
                    self.push(
                        Symbol {
                            name: name.name.clone(),
                            kind: item_symbol_kind(&item.kind),
                            span: name.span,
                            decl_span: item.span,
                            doc: item.doc.clone(),
                            detail: detail.clone(),
                            info: None,
                        },
                        None,
                    );
                }
            }
            match &item.kind {
                ItemKind::Kind(k) => {
                    for a in &k.attrs {
                        let ty = text.get(a.ty.span.range()).unwrap_or("");
                        self.push(
                            Symbol {
                                name: a.name.name.clone(),
                                kind: SymbolKind::Attribute,
                                span: a.name.span,
                                decl_span: a.span,
                                doc: a.doc.clone(),
                                detail: format!(
                                    "{}: {ty} (attribute of {})",
                                    a.name.name, k.name.name
                                ),
                                info: None,
                            },
                            None,
                        );
                    }
                }
                ItemKind::Template(t) => self.collect_items(text, &t.items),
                _ => {}
            }
            for var in index_vars(&item.kind) {
                self.push(
                    Symbol {
                        name: var.name.clone(),
                        kind: SymbolKind::IndexVar,
                        span: var.span,
                        decl_span: item.span,
                        doc: None,
                        detail: format!(
                            "{} (index of {})",
                            var.name,
                            item.kind.name().map_or("", |n| n.name.as_str())
                        ),
                        info: None,
                    },
                    Some(item.span),
                );
            }
        }
    }

    /// Uses by name: after `.` or before `:` in an attribute position, an attribute; an
    /// index variable in its declaration; otherwise a name visible everywhere.
    fn match_uses(&mut self, text: &str, file: FileId) {
        let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
        for (k, d) in self.decls.iter().enumerate() {
            by_name.entry(d.name.as_str()).or_default().push(k);
        }
        let decl_spans: HashSet<Span> = self.decls.iter().map(|d| d.span).collect();
        let tokens = lexer::significant(text);
        let mut refs = Vec::new();
        for (i, t) in tokens.iter().enumerate() {
            if !matches!(t.kind, TokenKind::Ident | TokenKind::DigitName) {
                continue;
            }
            let span = Span::new(file, t.start, t.end);
            let Some(candidates) = by_name.get(archc::syntax::unquote_name(t.text(text))) else {
                continue;
            };
            if decl_spans.contains(&span) {
                continue;
            }
            let after_dot = i > 0 && tokens[i - 1].kind == TokenKind::Dot;
            let before_colon = tokens
                .get(i + 1)
                .is_some_and(|n| n.kind == TokenKind::Colon);
            let find = |pred: &dyn Fn(usize) -> bool| candidates.iter().copied().find(|&k| pred(k));
            let attr = find(&|k| self.decls[k].kind == SymbolKind::Attribute);
            let target = if after_dot || (before_colon && attr.is_some()) {
                attr
            } else {
                find(&|k| {
                    self.decls[k].kind == SymbolKind::IndexVar
                        && self.scopes[k].is_some_and(|s| s.contains_offset(t.start))
                })
                .or_else(|| {
                    find(&|k| {
                        self.decls[k].kind != SymbolKind::Attribute && self.scopes[k].is_none()
                    })
                })
            };
            if let Some(d) = target {
                refs.push((span, d));
            }
        }
        self.refs = refs;
    }
}

/// The symbol kind of an item's name.
pub fn item_symbol_kind(kind: &ItemKind) -> SymbolKind {
    match kind {
        ItemKind::Use(_) => SymbolKind::Module,
        ItemKind::Unit(_) => SymbolKind::Unit,
        ItemKind::Kind(_) => SymbolKind::Kind,
        ItemKind::Entity(_) => SymbolKind::Entity,
        ItemKind::EntitiesFrom(_) | ItemKind::Set(_) | ItemKind::Partition(_) => SymbolKind::Set,
        ItemKind::Param(_) => SymbolKind::Param,
        ItemKind::Decide(_) => SymbolKind::Decision,
        ItemKind::Constraint(_) => SymbolKind::Constraint,
        ItemKind::Objective(_) => SymbolKind::Objective,
        ItemKind::Fn(_) => SymbolKind::Function,
        ItemKind::Template(_) | ItemKind::Apply(_) => SymbolKind::Template,
        ItemKind::Plan(_) => SymbolKind::Plan,
        ItemKind::Test(_) => SymbolKind::Test,
    }
}

/// The index variables an item declares in its index list (and a plan's stage variable).
pub fn index_vars(kind: &ItemKind) -> Vec<&ast::Ident> {
    let (index, extra) = match kind {
        ItemKind::Param(d) => (d.index.as_ref(), None),
        ItemKind::Decide(d) => (d.index.as_ref(), None),
        ItemKind::Constraint(d) => (d.index.as_ref(), None),
        ItemKind::Plan(d) => (d.index.as_ref(), Some(&d.stage_var)),
        ItemKind::Fn(_) | ItemKind::Template(_) => (None, None),
        _ => (None, None),
    };
    let mut vars: Vec<&ast::Ident> = index
        .map(|l| l.bindings.iter().filter_map(|b| b.var.as_ref()).collect())
        .unwrap_or_default();
    vars.extend(extra);
    if let ItemKind::Fn(f) = kind {
        vars.extend(f.params.iter().map(|p| &p.name));
    }
    if let ItemKind::Template(t) = kind {
        vars.extend(t.params.iter().map(|p| &p.name));
    }
    vars
}

/// The innermost item (looking into templates) whose span contains an offset.
/// Items are in source order, so the search is a binary one (the index asks once per index
/// variable: a linear search would make building it quadratic in the number of items).
pub fn innermost_item(items: &[Item], offset: usize) -> Option<&Item> {
    let first = items.partition_point(|i| (i.span.end as usize) < offset);
    let item = items[first..]
        .iter()
        .take_while(|i| (i.span.start as usize) <= offset)
        .find(|i| i.span.contains_offset(offset))?;
    if let ItemKind::Template(t) = &item.kind {
        if let Some(inner) = innermost_item(&t.items, offset) {
            return Some(inner);
        }
    }
    Some(item)
}

/// The first line of an item's code (after its doc comments), trimmed and shortened.
pub fn first_line(text: &str, item: &Item) -> String {
    let body = text.get(item.span.range()).unwrap_or("");
    let code = body
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("//"))
        .unwrap_or("");
    let code = match code.find("//") {
        Some(i) if !code[..i].contains('"') => code[..i].trim_end(),
        _ => code,
    };
    if code.chars().count() > 120 {
        let short: String = code.chars().take(117).collect();
        format!("{short}...")
    } else {
        code.to_string()
    }
}
