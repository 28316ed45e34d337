-- Neovim support for the `.arch` language of archc.
--
-- * registers the filetype `arch` for `*.arch` files;
-- * sets buffer options for that filetype (`commentstring`, `comments`, indentation);
-- * starts the archc language server (`archc lsp` over stdio) with the built-in LSP client,
--   rooted at the nearest directory holding `.git` (or the file's own directory).
--
-- Highlighting comes from syntax/arch.vim beside this file (found through 'runtimepath') and is
-- refined by the server's semantic tokens.
--
-- Use it in any of these ways (see README.md):
--   * as an init file:      nvim -u path/to/editors/nvim/archc.lua file.arch
--   * from your init.lua:   dofile("path/to/editors/nvim/archc.lua")
--   * on 'runtimepath':     plugin/archc.lua loads this file; then
--                           require("archc").setup({ cmd = { "/path/to/archc", "lsp" } })
--
-- Loading the file sets everything up with the defaults; `setup()` may be called again with
-- options and replaces the previous setup. Works on Neovim 0.7 and later.

local M = {}

--- Defaults; `setup(opts)` merges `opts` over a copy of these.
M.defaults = {
  -- Command that starts the language server.
  cmd = { "archc", "lsp" },
  -- Files or directories that mark the project root, searched upwards from the file.
  root_markers = { ".git" },
  -- Start the language server when an `.arch` buffer is opened.
  lsp = true,
  -- Buffer-local indentation for `.arch` files (nil leaves the user's settings alone).
  shiftwidth = 4,
}

M.config = vim.deepcopy(M.defaults)

-- Directory holding this file: added to 'runtimepath' so syntax/arch.vim is found even when
-- this file is used directly as an init file.
local function this_dir()
  local info = debug.getinfo(1, "S")
  local source = info and info.source or ""
  if source:sub(1, 1) ~= "@" then
    return nil
  end
  return vim.fn.fnamemodify(source:sub(2), ":p:h")
end

local function add_to_runtimepath(dir)
  if dir == nil or vim.fn.isdirectory(dir .. "/syntax") == 0 then
    return
  end
  for _, path in ipairs(vim.api.nvim_list_runtime_paths()) do
    if vim.fn.fnamemodify(path, ":p:h") == dir then
      return
    end
  end
  -- Prepended: Vim's runtime has syntax/ and ftplugin/ files named `arch` for GNU Arch
  -- inventory files, and the first file found on 'runtimepath' wins.
  vim.opt.runtimepath:prepend(dir)
end

local function notify_once(message, level)
  local notify = vim.notify_once or vim.notify
  pcall(notify, "archc: " .. message, level or vim.log.levels.WARN)
end

local uv = vim.uv or vim.loop

--- The project root of `path`: the nearest ancestor directory (or the directory itself) that
--- holds one of `markers`, else the directory of `path`.
function M.root_dir(path, markers)
  markers = markers or M.config.root_markers
  local start
  if path == nil or path == "" then
    start = uv.cwd()
  else
    start = vim.fn.fnamemodify(path, ":p:h")
  end
  local dir = start
  while dir ~= nil and dir ~= "" do
    for _, marker in ipairs(markers) do
      if uv.fs_stat(dir .. "/" .. marker) ~= nil then
        return dir
      end
    end
    local parent = vim.fn.fnamemodify(dir, ":h")
    if parent == dir then
      break
    end
    dir = parent
  end
  return start
end

-- Clients started through the pre-0.8 API, keyed by root directory.
local legacy_clients = {}

--- Starts (or reuses) the archc language server for buffer `bufnr`. Returns the client id,
--- or nil when the server cannot be started.
function M.start_lsp(bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  local cmd = M.config.cmd
  if type(cmd) ~= "table" or cmd[1] == nil then
    notify_once("`cmd` must be a list such as { \"archc\", \"lsp\" }", vim.log.levels.ERROR)
    return nil
  end
  if vim.fn.executable(cmd[1]) ~= 1 then
    notify_once(
      ("`%s` is not executable: put archc on PATH or pass `cmd` to require(\"archc\").setup()"):format(cmd[1])
    )
    return nil
  end
  local root = M.root_dir(vim.api.nvim_buf_get_name(bufnr), M.config.root_markers)
  local config = {
    name = "archc",
    cmd = cmd,
    root_dir = root,
    workspace_folders = {
      { uri = vim.uri_from_fname(root), name = vim.fn.fnamemodify(root, ":t") },
    },
  }

  if vim.lsp.start ~= nil then
    local ok, id = pcall(vim.lsp.start, config, { bufnr = bufnr })
    if not ok then
      notify_once("could not start the language server: " .. tostring(id), vim.log.levels.ERROR)
      return nil
    end
    return id
  end

  -- Neovim 0.7: one client per root, attached by hand.
  local id = legacy_clients[root]
  if id == nil or vim.lsp.get_client_by_id(id) == nil then
    config.on_attach = function(_, attached)
      vim.api.nvim_buf_set_option(attached, "omnifunc", "v:lua.vim.lsp.omnifunc")
    end
    local ok, started = pcall(vim.lsp.start_client, config)
    if not ok or started == nil then
      notify_once("could not start the language server: " .. tostring(started), vim.log.levels.ERROR)
      return nil
    end
    id = started
    legacy_clients[root] = id
  end
  vim.lsp.buf_attach_client(bufnr, id)
  return id
end

--- Buffer options for an `arch` buffer.
local function set_buffer_options(bufnr)
  local bo = vim.bo[bufnr]
  bo.commentstring = "// %s"
  bo.comments = ":///,://"
  local fo = bo.formatoptions:gsub("t", "")
  for flag in ("croql"):gmatch(".") do
    if not fo:find(flag, 1, true) then
      fo = fo .. flag
    end
  end
  bo.formatoptions = fo
  bo.suffixesadd = ".arch"
  bo.smartindent = true
  bo.cinwords = ""
  if M.config.shiftwidth ~= nil then
    bo.shiftwidth = M.config.shiftwidth
    bo.softtabstop = M.config.shiftwidth
    bo.expandtab = true
  end
  -- `-` is part of identifiers such as `eu-west-1`; `*`/`w` motions follow the language.
  vim.api.nvim_buf_call(bufnr, function()
    vim.cmd("setlocal iskeyword+=-")
  end)
end

local function on_filetype(bufnr)
  set_buffer_options(bufnr)
  -- Again once every FileType handler has run, in case another ftplugin overrode them.
  vim.schedule(function()
    if vim.api.nvim_buf_is_valid(bufnr) and vim.bo[bufnr].filetype == "arch" then
      set_buffer_options(bufnr)
    end
  end)
  if M.config.lsp then
    M.start_lsp(bufnr)
  end
end

--- Registers the filetype and the autocommands. Safe to call more than once.
function M.setup(opts)
  M.config = vim.tbl_deep_extend("force", vim.deepcopy(M.defaults), opts or {})

  if vim.filetype ~= nil and vim.filetype.add ~= nil then
    pcall(vim.filetype.add, { extension = { arch = "arch" } })
  end

  local group = vim.api.nvim_create_augroup("archc", { clear = true })
  -- Also detect through an autocommand: Neovim 0.7 only reads vim.filetype.add() rules when
  -- `g:do_filetype_lua` is set.
  vim.api.nvim_create_autocmd({ "BufRead", "BufNewFile" }, {
    group = group,
    pattern = "*.arch",
    callback = function(args)
      if vim.bo[args.buf].filetype ~= "arch" then
        vim.bo[args.buf].filetype = "arch"
      end
    end,
  })
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = "arch",
    callback = function(args)
      on_filetype(args.buf)
    end,
  })

  -- Buffers that were already open when setup ran.
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and vim.bo[bufnr].filetype == "arch" then
      on_filetype(bufnr)
    end
  end
  return M
end

add_to_runtimepath(this_dir())
local ok, err = pcall(M.setup, vim.g.archc_config)
if not ok then
  pcall(vim.notify, "archc: setup failed: " .. tostring(err), vim.log.levels.ERROR)
end
package.loaded["archc"] = M

return M
