// Unit tests of out/extension.js (compiled from src/extension.ts) with stand-ins for the
// `vscode` API and `vscode-languageclient/node`: how the server is started, restarted and
// configured, and that package.json declares what the code registers.
"use strict";

const assert = require("node:assert/strict");
const Module = require("node:module");
const os = require("node:os");
const path = require("node:path");
const { test, beforeEach } = require("node:test");

const ROOT = path.join(__dirname, "..", "..");
const manifest = require(path.join(ROOT, "package.json"));

// --- stand-ins -----------------------------------------------------------------------------

let state;

function freshState() {
  return {
    settings: { "archc.path": "archc" },
    commands: new Map(),
    configListeners: [],
    clients: [],
    errors: [],
    failNextStart: false,
    workspaceFolders: undefined,
  };
}

class FakeLanguageClient {
  constructor(id, name, serverOptions, clientOptions) {
    Object.assign(this, { id, name, serverOptions, clientOptions, started: false, stopped: false });
    state.clients.push(this);
  }
  async start() {
    if (state.failNextStart) {
      state.failNextStart = false;
      throw new Error("spawn archc ENOENT");
    }
    this.started = true;
  }
  async stop() {
    this.stopped = true;
  }
}

const fakeVscode = {
  window: {
    createOutputChannel: () => ({ appendLine() {}, show() {}, dispose() {} }),
    showErrorMessage: async (message, ...items) => {
      state.errors.push({ message, items });
      return undefined;
    },
    setStatusBarMessage: () => ({ dispose() {} }),
  },
  commands: {
    registerCommand: (id, fn) => {
      state.commands.set(id, fn);
      return { dispose() {} };
    },
    executeCommand: async () => undefined,
  },
  workspace: {
    getConfiguration: (section) => ({
      get: (key, fallback) => {
        const value = state.settings[`${section}.${key}`];
        return value === undefined ? fallback : value;
      },
    }),
    onDidChangeConfiguration: (listener) => {
      state.configListeners.push(listener);
      return { dispose() {} };
    },
    createFileSystemWatcher: (glob) => ({ glob, dispose() {} }),
    get workspaceFolders() {
      return state.workspaceFolders;
    },
  },
};

const fakeClientModule = { LanguageClient: FakeLanguageClient, TransportKind: { stdio: 0, ipc: 1 } };

const originalLoad = Module._load;
Module._load = function (request, parent, isMain) {
  if (request === "vscode") return fakeVscode;
  if (request === "vscode-languageclient/node") return fakeClientModule;
  return originalLoad.call(this, request, parent, isMain);
};

const extension = require(path.join(ROOT, "out", "extension.js"));

function context() {
  return { subscriptions: [] };
}

beforeEach(async () => {
  if (state !== undefined) {
    await extension.deactivate();
  }
  state = freshState();
});

// --- tests ---------------------------------------------------------------------------------

test("activate starts `archc lsp` over stdio for arch documents", async () => {
  await extension.activate(context());
  assert.equal(state.clients.length, 1);
  const client = state.clients[0];
  assert.equal(client.id, "archc");
  assert.equal(client.started, true);
  for (const mode of ["run", "debug"]) {
    assert.equal(client.serverOptions[mode].command, "archc");
    assert.deepEqual(client.serverOptions[mode].args, ["lsp"]);
    assert.equal(client.serverOptions[mode].transport, fakeClientModule.TransportKind.stdio);
  }
  const languages = client.clientOptions.documentSelector.map((s) => s.language);
  assert.deepEqual([...new Set(languages)], ["arch"]);
});

test("archc.path chooses the executable; ~ and ${workspaceFolder} are expanded", async () => {
  state.settings["archc.path"] = "~/bin/archc";
  await extension.activate(context());
  assert.equal(state.clients[0].serverOptions.run.command, path.join(os.homedir(), "bin/archc"));

  await extension.deactivate();
  state = freshState();
  state.settings["archc.path"] = "${workspaceFolder}/target/debug/archc";
  state.workspaceFolders = [{ uri: { fsPath: "/work/project" } }];
  await extension.activate(context());
  assert.equal(state.clients[0].serverOptions.run.command, "/work/project/target/debug/archc");
});

test("an empty archc.path falls back to archc", async () => {
  state.settings["archc.path"] = "   ";
  await extension.activate(context());
  assert.equal(state.clients[0].serverOptions.run.command, "archc");
});

test("the restart command stops the running server and starts a new one", async () => {
  await extension.activate(context());
  const restart = state.commands.get("archc.restartServer");
  assert.equal(typeof restart, "function");
  await restart();
  assert.equal(state.clients.length, 2);
  assert.equal(state.clients[0].stopped, true);
  assert.equal(state.clients[1].started, true);
  assert.equal(state.clients[1].stopped, false);
});

test("changing archc.path restarts the server with the new executable", async () => {
  await extension.activate(context());
  state.settings["archc.path"] = "/usr/local/bin/archc";
  for (const listener of state.configListeners) {
    await listener({ affectsConfiguration: (key) => key === "archc.path" });
  }
  assert.equal(state.clients.length, 2);
  assert.equal(state.clients[0].stopped, true);
  assert.equal(state.clients[1].serverOptions.run.command, "/usr/local/bin/archc");

  for (const listener of state.configListeners) {
    await listener({ affectsConfiguration: (key) => key === "editor.fontSize" });
  }
  assert.equal(state.clients.length, 2, "unrelated settings do not restart the server");
});

test("a server that cannot start is reported, not thrown", async () => {
  state.failNextStart = true;
  await extension.activate(context());
  assert.equal(state.errors.length, 1);
  assert.match(state.errors[0].message, /archc lsp/);
  assert.ok(state.errors[0].items.includes("Open Settings"));
  // A later restart tries again.
  await state.commands.get("archc.restartServer")();
  assert.equal(state.clients.at(-1).started, true);
});

test("package.json declares the language, grammar, setting and command", () => {
  const c = manifest.contributes;
  const lang = c.languages.find((l) => l.id === "arch");
  assert.ok(lang, "language arch");
  assert.deepEqual(lang.extensions, [".arch"]);
  const grammar = c.grammars.find((g) => g.language === "arch");
  assert.equal(grammar.scopeName, "source.arch");
  assert.equal(require(path.join(ROOT, grammar.path)).scopeName, "source.arch");
  const config = require(path.join(ROOT, lang.configuration));
  assert.equal(config.comments.lineComment, "//");
  assert.equal(c.configuration.properties["archc.path"].default, "archc");
  const command = c.commands.find((x) => x.command === "archc.restartServer");
  assert.equal(`${command.category}: ${command.title}`, "Arch: Restart language server");
  assert.equal(manifest.main, "./out/extension.js");
});

test("every command the extension registers is declared in package.json", async () => {
  await extension.activate(context());
  const declared = new Set(manifest.contributes.commands.map((x) => x.command));
  for (const id of state.commands.keys()) {
    assert.ok(declared.has(id), `${id} is declared`);
  }
});

test("language-configuration.json patterns are valid regular expressions", () => {
  const config = require(path.join(ROOT, "language-configuration.json"));
  const word = new RegExp(config.wordPattern);
  assert.equal("eu-west-1".match(word)[0], "eu-west-1");
  assert.equal("2027Q1".match(word)[0], "2027Q1");
  const increase = new RegExp(config.indentationRules.increaseIndentPattern);
  const decrease = new RegExp(config.indentationRules.decreaseIndentPattern);
  assert.ok(increase.test("region us-east {"));
  assert.ok(increase.test("constraint fit[r in regions]:"));
  assert.ok(increase.test("plan build[r in regions] over q in quarters {  // comment"));
  assert.ok(!increase.test("region us-east { cores: 1 core }"));
  assert.ok(!increase.test("// a comment {"));
  assert.ok(decrease.test("    }"));
  assert.ok(!decrease.test("    x = 1"));
});
