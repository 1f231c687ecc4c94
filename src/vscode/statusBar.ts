/** A status-bar item showing the running run's tokens and cost; hidden when nothing runs. */
import * as vscode from 'vscode';
import type { RunManager } from './runManager';

export function runStatusBar(runs: RunManager): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('deepAgent.run', vscode.StatusBarAlignment.Left, 50);
  item.name = 'Deep Agent run';
  item.command = 'deepAgent.openPanel';
  const subscriptions = [
    runs.onEvent((event) => {
      if (event.parentRunId) return;
      if (event.type === 'run_start' || event.type === 'run_resumed') {
        item.text = `$(sync~spin) Deep Agent: ${event.type === 'run_start' ? 'starting' : 'resuming'}`;
        item.tooltip = 'Deep Agent is running — click to open the panel';
        item.show();
      } else if (event.type === 'progress') {
        item.text = `$(sync~spin) Deep Agent: ${event.data.usage.totalTokens.toLocaleString()} tok · $${event.data.costUsd.toFixed(4)}`;
      } else if (event.type === 'run_end') {
        item.hide();
      }
    }),
  ];
  return vscode.Disposable.from(item, ...subscriptions);
}
