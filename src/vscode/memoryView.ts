/** The Memory view. Memories arrive with the memory store; until then it says so plainly. */
import * as vscode from 'vscode';

export class MemoryView implements vscode.TreeDataProvider<vscode.TreeItem> {
  getChildren(): vscode.TreeItem[] {
    const item = new vscode.TreeItem('No memories yet');
    item.description = 'long-term memory is not enabled in this version';
    item.iconPath = new vscode.ThemeIcon('info');
    return [item];
  }

  getTreeItem(item: vscode.TreeItem): vscode.TreeItem {
    return item;
  }
}
