-- Neovim 0.7 as an independent LSP client of the built server, headless:
--   nvim --headless --clean -u NONE -c 'luafile client.lua'
-- Environment: DH_NODE (node binary), DH_SERVER (dist/server.js), DH_ROOT (the project copy),
-- DH_FILE (the settings module to open, relative to DH_ROOT), DH_SELECT (comma-separated rule
-- codes, pushed as the djangoHardener.select setting), DH_RESULT (JSON written here),
-- DH_TIMEOUT_MS (bound on each wait), DH_MOVE (1: edit the file before fixing it, see below).
-- Starts the server over stdio, waits for the diagnostics of DH_FILE (a settings module or a
-- template), optionally edits it and waits for them to move, asks for the code actions
-- on the first one, applies the preferred quick fix with Neovim's own workspace-edit code,
-- writes every changed buffer to disk, opens the edited files in the server, waits for the
-- diagnostic to go away and records everything in DH_RESULT. Every wait is bounded; any
-- failure is recorded and ends Neovim with a non-zero status.

local env = vim.env
local timeout = tonumber(env.DH_TIMEOUT_MS) or 15000
local result = { published = {}, messages = {}, logs = {}, steps = {} }

local function write_result()
  local file = assert(io.open(env.DH_RESULT, 'w'))
  file:write(vim.json.encode(result))
  file:close()
end

local function step(name)
  table.insert(result.steps, name)
end

local function fail(message)
  error({ dh_failure = message })
end

local function wait_for(what, predicate)
  if not vim.wait(timeout, predicate, 20) then fail('timed out after ' .. timeout .. ' ms waiting for ' .. what) end
end

local function root_path(relative)
  return env.DH_ROOT .. '/' .. relative
end

-- Raw publishDiagnostics notifications, kept as the server sent them, then handed to Neovim.
local function on_publish(err, params, ctx, config)
  table.insert(result.published, params)
  return vim.lsp.diagnostic.on_publish_diagnostics(err, params, ctx, config)
end

local function on_show_message(_, params)
  table.insert(result.messages, params)
  return vim.NIL
end

local function on_log_message(_, params)
  table.insert(result.logs, params)
  return vim.NIL
end

local function main()
  local selected = vim.split(env.DH_SELECT, ',', { trimempty = true })
  vim.cmd('edit ' .. vim.fn.fnameescape(root_path(env.DH_FILE)))
  local bufnr = vim.api.nvim_get_current_buf()
  local uri = vim.uri_from_bufnr(bufnr)

  local exited = false
  local client_id = vim.lsp.start_client({
    name = 'django-hardener',
    cmd = { env.DH_NODE, env.DH_SERVER, '--stdio' },
    root_dir = env.DH_ROOT,
    settings = { djangoHardener = { select = selected } },
    -- Neovim 0.7 neither offers workspace/configuration nor pushes the settings itself;
    -- this is what nvim-lspconfig does on every start.
    on_init = function(client)
      client.notify('workspace/didChangeConfiguration', { settings = client.config.settings })
    end,
    handlers = {
      ['textDocument/publishDiagnostics'] = on_publish,
      ['window/showMessage'] = on_show_message,
      ['window/logMessage'] = on_log_message,
    },
    on_exit = function(code, signal)
      exited = true
      result.exit = { code = code, signal = signal }
    end,
  })
  if not client_id then fail('vim.lsp.start_client returned nil') end
  if not vim.lsp.buf_attach_client(bufnr, client_id) then fail('vim.lsp.buf_attach_client failed') end
  local client = vim.lsp.get_client_by_id(client_id)
  step('started')

  -- The start-up scan may publish before the pushed settings arrive: wait for diagnostics of
  -- the selected rules only.
  -- They must be those of the version Neovim has: the code actions of a diagnostic computed
  -- for another version (a scan published before the document was opened) are refused.
  local function current_publication()
    local last
    for _, params in ipairs(result.published) do
      if params.uri == uri then last = params end
    end
    return last ~= nil and last.version == vim.lsp.util.buf_versions[bufnr]
  end
  wait_for('diagnostics of ' .. env.DH_FILE .. ' from ' .. env.DH_SELECT .. ' only, for the version open', function()
    if exited then return true end
    if not current_publication() then return false end
    local diagnostics = vim.diagnostic.get(bufnr)
    if #diagnostics == 0 then return false end
    for _, d in ipairs(diagnostics) do
      if not vim.tbl_contains(selected, d.user_data.lsp.code) then return false end
    end
    return true
  end)
  if exited then fail('the server exited before publishing diagnostics') end
  step('diagnostics')

  local diagnostics = vim.diagnostic.get(bufnr)
  result.vim_diagnostics = {}
  for _, d in ipairs(diagnostics) do
    table.insert(result.vim_diagnostics, {
      lnum = d.lnum, col = d.col, end_lnum = d.end_lnum, end_col = d.end_col,
      severity = d.severity, message = d.message, source = d.source,
      code = d.user_data and d.user_data.lsp and d.user_data.lsp.code or vim.NIL,
    })
  end

  -- With DH_MOVE, the file alone is edited first: a line inserted at the top moves the first
  -- diagnostic one line down once the server has analysed the change.
  if env.DH_MOVE == '1' then
    local before = diagnostics[1].lnum
    vim.api.nvim_buf_set_lines(bufnr, 0, 0, false, { '' })
    wait_for('the first diagnostic of ' .. env.DH_FILE .. ' to move from line ' .. before .. ' to ' .. (before + 1), function()
      local moved = vim.diagnostic.get(bufnr)
      return #moved > 0 and moved[1].lnum == before + 1
    end)
    diagnostics = vim.diagnostic.get(bufnr)
    result.moved = { from = before, to = diagnostics[1].lnum }
    step('moved')
  end

  -- What vim.lsp.buf.code_action() sends in 0.7: the LSP-shaped diagnostics of the line.
  local first = diagnostics[1]
  local line_diagnostics = vim.lsp.diagnostic.get_line_diagnostics(bufnr, first.lnum)
  local params = {
    textDocument = { uri = uri },
    range = line_diagnostics[1].range,
    context = { diagnostics = line_diagnostics },
  }
  local responses, request_error = vim.lsp.buf_request_sync(bufnr, 'textDocument/codeAction', params, timeout)
  if not responses then fail('textDocument/codeAction: ' .. tostring(request_error)) end
  local response = responses[client_id]
  if not response then fail('no textDocument/codeAction answer from the server') end
  if response.err then fail('textDocument/codeAction error: ' .. vim.inspect(response.err)) end
  result.actions = response.result or {}
  step('codeActions')

  local fix
  for _, action in ipairs(result.actions) do
    if action.kind == 'quickfix' and action.isPreferred then fix = action end
  end
  if not fix then
    local titles = {}
    for _, action in ipairs(result.actions) do table.insert(titles, action.title) end
    fail('no preferred quick fix among the code actions: ' .. vim.inspect(titles))
  end
  if not fix.edit then fail('the preferred quick fix "' .. fix.title .. '" has no edit') end
  result.applied = fix.title
  vim.lsp.util.apply_workspace_edit(fix.edit, client.offset_encoding or 'utf-16')
  vim.cmd('silent wall')
  step('applied')

  -- Open every edited file in the server, as an editor does: the fixed text supersedes the
  -- file on disk, and the diagnostic of the opened module must go away.
  for _, change in ipairs(fix.edit.documentChanges or {}) do
    if change.textDocument then
      local edited = vim.uri_to_bufnr(change.textDocument.uri)
      if edited ~= bufnr then vim.lsp.buf_attach_client(edited, client_id) end
    end
  end
  for edited_uri, _ in pairs(fix.edit.changes or {}) do
    local edited = vim.uri_to_bufnr(edited_uri)
    if edited ~= bufnr then vim.lsp.buf_attach_client(edited, client_id) end
  end
  wait_for('the diagnostics of ' .. env.DH_FILE .. ' to clear after the fix', function()
    return #vim.diagnostic.get(bufnr) == 0
  end)
  step('cleared')

  vim.lsp.stop_client(client_id)
  wait_for('the server to exit', function() return exited end)
  step('stopped')
end

local ok, err = xpcall(main, function(e)
  if type(e) == 'table' and e.dh_failure then return e.dh_failure end
  return debug.traceback(tostring(e), 2)
end)
if not ok then result.error = err end
write_result()
if ok then
  vim.cmd('qall!')
else
  for _, client in pairs(vim.lsp.get_active_clients()) do client.stop(true) end
  vim.cmd('cquit 1')
end
