-- `require("archc")` when editors/nvim is on 'runtimepath': loads ../archc.lua (which sets up
-- the defaults) and returns its module, so `require("archc").setup({ ... })` works from init.lua.
local source = debug.getinfo(1, "S").source
if source:sub(1, 1) ~= "@" then
  error("archc: cannot locate archc.lua")
end
return dofile(vim.fn.fnamemodify(source:sub(2), ":p:h:h") .. "/archc.lua")
