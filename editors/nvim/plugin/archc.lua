-- Loads ../archc.lua when editors/nvim is on 'runtimepath', so that `.arch` files get their
-- filetype, buffer options and the archc language server without any init code. Afterwards
-- `require("archc").setup({ ... })` changes the options.
if vim.g.loaded_archc ~= nil or package.loaded["archc"] ~= nil then
  return
end
vim.g.loaded_archc = 1

local source = debug.getinfo(1, "S").source
if source:sub(1, 1) ~= "@" then
  return
end
local root = vim.fn.fnamemodify(source:sub(2), ":p:h:h")
local ok, err = pcall(dofile, root .. "/archc.lua")
if not ok then
  pcall(vim.notify, "archc: could not load " .. root .. "/archc.lua: " .. tostring(err), vim.log.levels.ERROR)
end
