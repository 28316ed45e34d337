" Vim syntax file
" Language:    Arch (archc optimisation models)
" Filenames:   *.arch
"
" Lexical highlighting only; the archc language server refines it with semantic tokens.

" Vim's runtime also has a syntax/arch.vim (GNU Arch inventory files). Whichever loads first,
" this one replaces it; the other one stops at its b:current_syntax guard.
if exists("b:current_syntax") && exists("b:archc_syntax")
  finish
endif
syntax clear

let s:cpo_save = &cpo
set cpo&vim

syntax case match
" Identifiers may contain inner hyphens (`eu-west-1`): `max-load` is one word, not `max`.
syntax iskeyword @,48-57,_,192-255,-

" Keywords ------------------------------------------------------------------------------------
syntax keyword archDeclaration  use kind unit set param decide constraint minimize maximize
syntax keyword archDeclaration  fn template apply plan test
syntax keyword archClause       as from over state choose require next
" `cost = ...` and `final ...` are plan statements; elsewhere they are ordinary names.
syntax match archClause "^\s*\zscost\ze\s*=[^=]"
syntax match archClause "^\s*\zsfinal\>"
syntax keyword archConditional  if then else
syntax keyword archWordOperator and or not in where
syntax keyword archBoolean      true false
syntax keyword archBuiltin      sum count min max exists forall prev ord first last ceil floor abs
syntax keyword archType         bool int real str
syntax keyword archKind         region zone service link dataset
syntax keyword archSet          regions zones services links datasets
syntax keyword archStatus       feasible infeasible optimal unbounded objective contained

" `expect feasible`, `expect objective <= ...`
syntax match archClause "\<expect\>" nextgroup=archStatus skipwhite

" Names introduced by declarations -------------------------------------------------------------
" `kind rack`, `unit gpu`: a type name.
syntax match archTypeName "\%(\<\%(kind\|unit\)\s\+\)\@<=\h[A-Za-z0-9_]*\%(-[A-Za-z0-9_]\+\)*"
" `constraint fit[...]`, `fn util(...)`, `minimize cost:`, `param hours`, ...
syntax match archDeclName "\%(\<\%(set\|param\|decide\|constraint\|minimize\|maximize\|fn\|template\|apply\|plan\)\s\+\)\@<=\h[A-Za-z0-9_]*\%(-[A-Za-z0-9_]\+\)*"
" The kind of an entity declaration at the start of a line: `rack r1 {`, `link a <-> b {`.
syntax match archEntityKind "^\s*\zs\h[A-Za-z0-9_]*\%(-[A-Za-z0-9_]\+\)*\ze\s\+\h[A-Za-z0-9_-]*\s*\%(<\=->\s*\h[A-Za-z0-9_-]*\s*\)\={"
" Member access: `r.country`.
syntax match archMember "\%(\.\)\@1<=\h[A-Za-z0-9_]*\%(-[A-Za-z0-9_]\+\)*"

" Numbers, quantities and periods -----------------------------------------------------------------
" A number, then optionally a space and a unit expression without spaces: `0.031 usd/core/h`.
syntax match archNumber "\%(\w\)\@1<!\d[0-9_]*\%(\.\d[0-9_]*\)\=\%([eE][+-]\=\d[0-9_]*\)\=\>" nextgroup=archUnit skipwhite
syntax match archUnit contained "\%(\<\%(and\|or\|not\|in\|where\|if\|then\|else\|from\|as\|over\|regions\|zones\|services\|links\|datasets\)\>\)\@!\a\w*\%(^-\=\d\+\)\=\%([*/]\a\w*\%(^-\=\d\+\)\=\)*\%(\w\|[\[(]\)\@!"
" A unit in type position: `param hours: h = ...`, `decide flow[...]: real Gbps`.
syntax match archUnit "\%(\%(:\s*\|\<\%(int\|real\)\s\+\)\)\@<=\%(\<\%(bool\|int\|real\|str\|region\|zone\|service\|link\|dataset\|sum\|count\|min\|max\|if\|not\)\>\)\@!\a\w*\%(^-\=\d\+\)\=\%([*/]\a\w*\%(^-\=\d\+\)\=\)*\ze\s*\%(=[^=]\|>=\|<=\|\<from\>\|,\|}\|)\|//\|$\)"
syntax match archPeriod "\<\d\{4}\(Q[1-4]\|M\(0[1-9]\|1[0-2]\)\|W\(0[1-9]\|[1-4]\d\|5[0-3]\)\)\>"
syntax match archPeriod "\<\d\{4}-\(0[1-9]\|1[0-2]\)-\(0[1-9]\|[12]\d\|3[01]\)\>"

" Operators -----------------------------------------------------------------------------------------
syntax match archOperator "<->\|->\|\.\.\|==\|!=\|<=\|>=\|[-+*/%^<>=]"

" Strings and comments --------------------------------------------------------------------------------
syntax match  archEscape contained "\\."
syntax region archString start=+"+ skip=+\\\\\|\\"+ end=+"+ end=+$+ oneline contains=archEscape
syntax keyword archTodo contained TODO FIXME XXX NOTE
syntax match archComment "//.*$" contains=archTodo,@Spell
syntax match archDocComment "///\%(/\)\@!.*$" contains=archTodo,@Spell

" Links ---------------------------------------------------------------------------------------------
highlight default link archDeclaration  Keyword
highlight default link archClause       Statement
highlight default link archConditional  Conditional
highlight default link archWordOperator Operator
highlight default link archOperator     Operator
highlight default link archBoolean      Boolean
highlight default link archBuiltin      Function
highlight default link archType         Type
highlight default link archKind         Type
highlight default link archEntityKind   Type
highlight default link archTypeName     Type
highlight default link archSet          Constant
highlight default link archStatus       Constant
highlight default link archDeclName     Function
highlight default link archMember       Identifier
highlight default link archNumber       Number
highlight default link archPeriod       Number
highlight default link archUnit         Special
highlight default link archString       String
highlight default link archEscape       SpecialChar
highlight default link archComment      Comment
highlight default link archDocComment   SpecialComment
highlight default link archTodo         Todo

let b:current_syntax = "arch"
let b:archc_syntax = 1

let &cpo = s:cpo_save
unlet s:cpo_save
