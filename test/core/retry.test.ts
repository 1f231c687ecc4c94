import assert from 'node:assert/strict';
import { test } from 'node:test';
import { retryDelayMs } from '../../src/core/model/retry';
import { ModelError } from '../../src/core/model/types';

const policy = { maxRetries: 3, baseDelayMs: 100, maxDelayMs: 1000 };
const transient = new ModelError('x', 'model_http_503', true, 503);

test('backoff doubles per attempt, with jitter in the upper half', () => {
  assert.equal(retryDelayMs(transient, 1, policy, () => 0), 50);
  assert.equal(retryDelayMs(transient, 1, policy, () => 1), 100);
  assert.equal(retryDelayMs(transient, 2, policy, () => 1), 200);
  assert.equal(retryDelayMs(transient, 3, policy, () => 0.5), 300);
});

test('no retry for permanent errors, non-model errors, or past maxRetries', () => {
  assert.equal(retryDelayMs(new ModelError('bad', 'model_http_400', false, 400), 1, policy), undefined);
  assert.equal(retryDelayMs(new Error('boom'), 1, policy), undefined);
  assert.equal(retryDelayMs(transient, 4, policy), undefined);
});

test('Retry-After wins when longer, and is capped by maxDelayMs', () => {
  const later = new ModelError('429', 'model_http_429', true, 429, 700);
  assert.equal(retryDelayMs(later, 1, policy, () => 1), 700);
  const tooLate = new ModelError('429', 'model_http_429', true, 429, 60_000);
  assert.equal(retryDelayMs(tooLate, 1, policy, () => 1), 1000);
  const sooner = new ModelError('429', 'model_http_429', true, 429, 10);
  assert.equal(retryDelayMs(sooner, 2, policy, () => 1), 200);
});

test('the delay is capped by maxDelayMs however many attempts', () => {
  assert.equal(retryDelayMs(transient, 3, { ...policy, maxDelayMs: 250 }, () => 1), 250);
});
