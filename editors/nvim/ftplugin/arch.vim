" Filetype plugin for Arch (archc optimisation models, *.arch).
" Comes before Vim's own ftplugin/arch.vim (GNU Arch inventory files) on 'runtimepath', which
" then does nothing because b:did_ftplugin is set.

if exists("b:did_ftplugin")
  finish
endif
let b:did_ftplugin = 1

let s:cpo_save = &cpo
set cpo&vim

setlocal commentstring=//\ %s
setlocal comments=:///,://
setlocal formatoptions-=t formatoptions+=croql
setlocal suffixesadd=.arch
setlocal iskeyword+=-

let b:undo_ftplugin = "setl cms< com< fo< sua< isk<"

let &cpo = s:cpo_save
unlet s:cpo_save
