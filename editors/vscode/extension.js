// The Theater debugger for VS Code: runs `theater dap` (DAP over stdio) from the workspace folder. Everything else —
// stepping, breakpoints, variables — is the adapter's; this file only says how to start it.
const vscode = require('vscode');

/** @param {vscode.ExtensionContext} context */
function activate(context) {
  context.subscriptions.push(
    vscode.debug.registerDebugAdapterDescriptorFactory('theater', {
      createDebugAdapterDescriptor(session) {
        const command = vscode.workspace.getConfiguration('theater').get('command') ?? ['npx', '--no', 'theater'];
        const cwd = session.workspaceFolder?.uri.fsPath ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
        return new vscode.DebugAdapterExecutable(command[0], [...command.slice(1), 'dap'], cwd ? { cwd } : {});
      },
    }),
  );
}

function deactivate() {}

module.exports = { activate, deactivate };
