// VS Code client for the archc language server.
//
// The extension contributes the `arch` language (grammar and language configuration come from
// package.json) and starts `<archc.path> lsp` over stdio through vscode-languageclient. The
// server provides diagnostics, hover, navigation, completion, formatting and semantic tokens;
// the TextMate grammar only gives the first, purely lexical, colouring.

import * as os from "os";
import * as path from "path";
import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
} from "vscode-languageclient/node";

const CLIENT_ID = "archc";
const CLIENT_NAME = "archc language server";

let client: LanguageClient | undefined;
let outputChannel: vscode.OutputChannel | undefined;

/** Called by VS Code when an `.arch` file is opened or an Arch command is run. */
export async function activate(context: vscode.ExtensionContext): Promise<void> {
  outputChannel = vscode.window.createOutputChannel(CLIENT_NAME);
  context.subscriptions.push(outputChannel);

  context.subscriptions.push(
    vscode.commands.registerCommand("archc.restartServer", async () => {
      await restartClient();
    }),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration("archc.path")) {
        await restartClient();
      }
    }),
  );

  await startClient();
}

/** Called by VS Code on shutdown; stops the server cleanly. */
export async function deactivate(): Promise<void> {
  await stopClient();
}

/** The configured `archc` executable, with a leading `~` and `${workspaceFolder}` expanded. */
function serverExecutable(): string {
  const configured = vscode.workspace
    .getConfiguration("archc")
    .get<string>("path", "archc")
    .trim();
  let exe = configured.length > 0 ? configured : "archc";
  if (exe === "~" || exe.startsWith("~/")) {
    exe = path.join(os.homedir(), exe.slice(1));
  }
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (folder !== undefined) {
    exe = exe.replace(/\$\{workspaceFolder\}/g, folder);
  }
  return exe;
}

async function startClient(): Promise<void> {
  const command = serverExecutable();
  const serverOptions: ServerOptions = {
    run: { command, args: ["lsp"], transport: TransportKind.stdio },
    debug: { command, args: ["lsp"], transport: TransportKind.stdio },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "arch" },
      { scheme: "untitled", language: "arch" },
    ],
    outputChannel,
    synchronize: {
      // Data files (CSV/JSON) feed entities and parameters; let the server know when they change.
      fileEvents: vscode.workspace.createFileSystemWatcher("**/*.{arch,csv,json}"),
    },
  };

  const next = new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);
  client = next;
  try {
    await next.start();
  } catch (err) {
    client = undefined;
    const message = err instanceof Error ? err.message : String(err);
    outputChannel?.appendLine(`Failed to start \`${command} lsp\`: ${message}`);
    const choice = await vscode.window.showErrorMessage(
      `Arch: could not start the language server \`${command} lsp\`. ` +
        "Install archc and put it on PATH, or set `archc.path`.",
      "Open Settings",
      "Show Log",
    );
    if (choice === "Open Settings") {
      await vscode.commands.executeCommand("workbench.action.openSettings", "archc.path");
    } else if (choice === "Show Log") {
      outputChannel?.show(true);
    }
  }
}

async function stopClient(): Promise<void> {
  const current = client;
  client = undefined;
  if (current === undefined) {
    return;
  }
  try {
    await current.stop();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    outputChannel?.appendLine(`Error while stopping the language server: ${message}`);
  }
}

async function restartClient(): Promise<void> {
  await stopClient();
  await startClient();
  if (client !== undefined) {
    void vscode.window.setStatusBarMessage("Arch: language server restarted", 3000);
  }
}
