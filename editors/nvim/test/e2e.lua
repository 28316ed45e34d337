-- End-to-end check of archc.lua with the real `archc lsp`; run through e2e.sh, which sets
-- ARCHC_E2E_FILE to a copy of examples/placement/global.arch with an unknown name appended.
-- Exits Neovim with 0 when every check passes, 1 otherwise (printing what failed).

local file = assert(os.getenv("ARCHC_E2E_FILE"), "ARCHC_E2E_FILE not set")
local failures = {}

local function check(cond, what)
  if not cond then
    table.insert(failures, what)
  end
end

local function finish()
  if #failures == 0 then
    io.stdout:write("e2e: ok\n")
    vim.cmd("qall!")
  else
    io.stderr:write("e2e: FAILED\n  " .. table.concat(failures, "\n  ") .. "\n")
    vim.cmd("cquit 1")
  end
end

local ok, err = pcall(function()
  vim.cmd("edit " .. vim.fn.fnameescape(file))
  local buf = vim.api.nvim_get_current_buf()
  check(vim.bo[buf].filetype == "arch", "filetype is " .. vim.inspect(vim.bo[buf].filetype))

  -- The server attaches and publishes diagnostics for the unknown name.
  local diags = {}
  local got = vim.wait(20000, function()
    diags = vim.diagnostic.get(buf)
    return #diags > 0
  end, 100)
  check(got, "no diagnostics from the server within 20 s")
  local found
  for _, d in ipairs(diags) do
    local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
    if tostring(d.message):find("no_such_name", 1, true) then
      found = { code = code, message = d.message, lnum = d.lnum }
    end
  end
  check(found ~= nil, "no diagnostic mentions `no_such_name`: " .. vim.inspect(diags))
  if found then
    check(type(found.code) == "string" and found.code:match("^E02%d%d$") ~= nil,
      "the diagnostic's code is not a name error (E02xx): " .. vim.inspect(found.code))
    local last = vim.api.nvim_buf_line_count(buf) - 1
    check(found.lnum == last, ("diagnostic on line %d, expected %d"):format(found.lnum, last))
  end

  -- Hover on the declared param `hours` shows its declaration line.
  local lnum
  for i, line in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    if line:match("^param hours:") then
      lnum = i - 1
    end
  end
  check(lnum ~= nil, "no `param hours:` line in the file")
  if lnum then
    local params = {
      textDocument = { uri = vim.uri_from_bufnr(buf) },
      position = { line = lnum, character = 7 },
    }
    local results = vim.lsp.buf_request_sync(buf, "textDocument/hover", params, 20000) or {}
    local text = ""
    for _, r in pairs(results) do
      if r.result and r.result.contents then
        local c = r.result.contents
        text = text .. (type(c) == "table" and (c.value or vim.inspect(c)) or tostring(c))
      end
    end
    check(text:find("param hours: h", 1, true) ~= nil,
      "hover does not show the declaration: " .. vim.inspect(text))
    check(text:find("Hours in a month", 1, true) ~= nil,
      "hover does not show the doc comment: " .. vim.inspect(text))
  end

  -- Remove the error: the diagnostics clear and hover on a decision shows its size.
  local last = vim.api.nvim_buf_line_count(buf)
  vim.api.nvim_buf_set_lines(buf, last - 1, last, false, {})
  local cleared = vim.wait(20000, function()
    return #vim.diagnostic.get(buf, { severity = vim.diagnostic.severity.ERROR }) == 0
  end, 100)
  check(cleared, "errors remain after removing the bad line: " .. vim.inspect(vim.diagnostic.get(buf)))
  local dl
  for i, line in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    if line:match("^decide replicas%[") then
      dl = i - 1
    end
  end
  check(dl ~= nil, "no `decide replicas[` line in the file")
  if dl and cleared then
    local params = {
      textDocument = { uri = vim.uri_from_bufnr(buf) },
      position = { line = dl, character = 8 },
    }
    local results = vim.lsp.buf_request_sync(buf, "textDocument/hover", params, 20000) or {}
    local text = ""
    for _, r in pairs(results) do
      if r.result and r.result.contents then
        local c = r.result.contents
        text = text .. (type(c) == "table" and (c.value or vim.inspect(c)) or tostring(c))
      end
    end
    check(text:find("decide replicas", 1, true) ~= nil,
      "hover on `replicas` does not show its declaration: " .. vim.inspect(text))
    check(text:find("%d columns?") ~= nil,
      "hover on `replicas` does not show its column count: " .. vim.inspect(text))
  end
end)
if not ok then
  table.insert(failures, "error: " .. tostring(err))
end
finish()
