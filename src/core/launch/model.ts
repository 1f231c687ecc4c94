/** The model a run's configuration names: an OpenAI-compatible endpoint, recorded or replayed. */
import { OpenAICompatibleModel } from '../model/openai';
import { ReplayModel, withRecordReplay } from '../model/recordReplay';
import type { ChatModel } from '../model/types';
import { RunConfigError, type RunConfig } from './runConfig';

export const DEFAULT_API_KEY_ENV = 'OPENAI_API_KEY';

/** `apiKey` wins over the variable `model.apiKeyEnv` names (read from `env`). */
export function modelFrom(model: RunConfig['model'] = {}, env: NodeJS.ProcessEnv, apiKey?: string): ChatModel {
  if (model.strict && !model.replay) throw new RunConfigError('run config: model.strict needs model.replay');
  if (!model.baseUrl) {
    // A replay needs no endpoint: every answer comes from the fixture.
    if (model.replay && !model.record) return new ReplayModel(model.replay, { mode: 'strict', modelName: model.name });
    throw new RunConfigError('run config: model.baseUrl is missing (or model.replay, to answer from a recording)');
  }
  if (!model.name) throw new RunConfigError(`run config: model.name is missing for ${model.baseUrl}`);
  // A key handed over (from the editor's secret storage) has no variable to record for a resume.
  const apiKeyEnv = apiKey === undefined ? (model.apiKeyEnv ?? DEFAULT_API_KEY_ENV) : model.apiKeyEnv;
  const live = new OpenAICompatibleModel({ baseURL: model.baseUrl, model: model.name, apiKey: apiKey ?? (env[apiKeyEnv!] || undefined), apiKeyEnv });
  return withRecordReplay(live, { record: model.record, replay: model.replay, strict: model.strict });
}
