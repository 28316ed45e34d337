-- Headless Neovim test of archc.lua and syntax/arch.vim. Run through run.sh, which puts the
-- fake `archc` of test/bin on PATH and loads ../archc.lua as the init file.
--
-- Checks: filetype detection, buffer options, syntax groups of representative tokens, and that
-- the language server is started as `archc lsp` with the expected root and receives didOpen.

local failures, passed = {}, 0

local function check(cond, what)
  if cond then
    passed = passed + 1
  else
    table.insert(failures, what)
  end
end

local function eq(actual, expected, what)
  check(actual == expected, ("%s: expected %s, got %s"):format(what, vim.inspect(expected), vim.inspect(actual)))
end

local work = assert(os.getenv("ARCHC_TEST_DIR"), "ARCHC_TEST_DIR not set")
local log_path = assert(os.getenv("ARCHC_FAKE_LOG"), "ARCHC_FAKE_LOG not set")

local function read_log()
  local entries = {}
  local f = io.open(log_path, "r")
  if f == nil then
    return entries
  end
  for line in f:lines() do
    table.insert(entries, vim.fn.json_decode(line))
  end
  f:close()
  return entries
end

local function has_entry(pred)
  for _, e in ipairs(read_log()) do
    if pred(e) then
      return true
    end
  end
  return false
end

local function clients_for(bufnr)
  if vim.lsp.get_clients ~= nil then
    return vim.lsp.get_clients({ bufnr = bufnr })
  end
  return vim.lsp.buf_get_clients(bufnr)
end

-- The module is loaded and exported.
local archc = package.loaded["archc"]
check(type(archc) == "table" and type(archc.setup) == "function", "archc module is loaded")

-- 1. A file inside a project with .git: filetype, options, syntax, LSP.
local model = work .. "/project/models/sub/model.arch"
vim.cmd("edit " .. vim.fn.fnameescape(model))
local buf = vim.api.nvim_get_current_buf()
eq(vim.bo[buf].filetype, "arch", "filetype")
eq(vim.bo[buf].commentstring, "// %s", "commentstring")
eq(vim.bo[buf].syntax, "arch", "syntax")
eq(vim.b[buf].archc_syntax, 1, "syntax/arch.vim of archc (not GNU Arch's) is loaded")
eq(vim.bo[buf].comments, ":///,://", "comments")
check(vim.bo[buf].formatoptions:find("t", 1, true) == nil, "formatoptions without t")
check(vim.bo[buf].iskeyword:find("-", 1, true) ~= nil, "iskeyword contains '-'")

local function group_at(text, nth, offset)
  -- Syntax group of the character `offset` (0-based, default 0) of the nth occurrence of `text`.
  nth = nth or 1
  local count = 0
  for lnum, line in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    local start = 1
    while true do
      local s = line:find(text, start, true)
      if s == nil then
        break
      end
      count = count + 1
      if count == nth then
        local id = vim.fn.synID(lnum, s + (offset or 0), 1)
        return vim.fn.synIDattr(vim.fn.synIDtrans(id), "name"), vim.fn.synIDattr(id, "name")
      end
      start = s + 1
    end
  end
  return nil
end

local function syn(text, expected, nth)
  local _, raw = group_at(text, nth)
  eq(raw, expected, ("syntax group of %q"):format(text))
end

syn("/// Doc", "archDocComment")
syn("// plain", "archComment")
syn("use", "archDeclaration")
syn("kind", "archDeclaration")
syn("rack", "archTypeName")
syn("kW", "archUnit")
syn("region us-east", "archKind")
syn("40_000", "archNumber")
syn("core,", "archUnit")
syn("usd/core/h", "archUnit")
syn("\"US\"", "archString")
syn("\\\"", "archEscape")
syn("<->", "archOperator")
syn("2027Q1", "archPeriod")
syn("2026M01", "archPeriod")
syn("2026-01-05", "archPeriod")
syn("..", "archOperator")
syn("constraint", "archDeclaration")
syn("fit", "archDeclName")
syn("sum", "archBuiltin")
syn("services", "archSet")
syn("where", "archWordOperator")
syn("if", "archConditional")
syn("true", "archBoolean")
syn("int >=", "archType")
syn("Gbps >=", "archUnit")
syn("country", "archMember", 2)
syn("expect", "archClause")
syn("feasible", "archStatus")
syn("state", "archClause")
syn("cost =", "archClause")
syn("cost:", "archDeclName")
syn("max-load", "")
syn("rack r1", "archEntityKind")

-- The server starts as `archc lsp` rooted at the project, and sees the document.
local attached = vim.wait(5000, function()
  return #clients_for(buf) > 0
end, 20)
check(attached, "an LSP client attaches to the .arch buffer")
local client = clients_for(buf)[1]
if client ~= nil then
  eq(client.name, "archc", "client name")
  eq(client.config.root_dir, work .. "/project", "root_dir (nearest .git)")
end
check(vim.wait(5000, function()
  return has_entry(function(e)
    return e.argv ~= nil and #e.argv == 1 and e.argv[1] == "lsp"
  end)
end, 20), "server started with argv {'lsp'}")
check(vim.wait(5000, function()
  return has_entry(function(e)
    return e.method == "textDocument/didOpen" and e.languageId == "arch" and e.uri == vim.uri_from_fname(model)
  end)
end, 20), "server received didOpen for the model with languageId 'arch'")

-- 2. root_dir falls back to the file's directory when no marker exists.
eq(archc.root_dir(work .. "/loose/a.arch"), work .. "/loose", "root_dir without .git")
eq(archc.root_dir(work .. "/project/models/sub/model.arch"), work .. "/project", "root_dir with .git")

-- 3. setup() can be called again (idempotent autocommands) and a second file reuses the client.
archc.setup({})
local other = work .. "/project/other.arch"
vim.cmd("edit " .. vim.fn.fnameescape(other))
local buf2 = vim.api.nvim_get_current_buf()
eq(vim.bo[buf2].filetype, "arch", "filetype after setup() again")
check(vim.wait(5000, function()
  return #clients_for(buf2) > 0
end, 20), "client attaches to a second buffer")
if client ~= nil and clients_for(buf2)[1] ~= nil then
  eq(clients_for(buf2)[1].id, client.id, "second buffer reuses the client of the same root")
end

-- 4. A missing executable gives a warning, not an error.
archc.setup({ cmd = { "archc-does-not-exist", "lsp" } })
local ok = pcall(vim.cmd, "edit " .. vim.fn.fnameescape(work .. "/loose/a.arch"))
check(ok, "opening a file with a missing server does not raise")
eq(#clients_for(vim.api.nvim_get_current_buf()), 0, "no client without an executable")

-- Report.
for _, f in ipairs(failures) do
  io.stderr:write("FAIL " .. f .. "\n")
end
io.stderr:write(("\n%d passed, %d failed\n"):format(passed, #failures))
for _, c in ipairs(vim.lsp.get_active_clients and vim.lsp.get_active_clients() or {}) do
  c.stop()
end
vim.cmd(#failures == 0 and "qall!" or "cquit!")
