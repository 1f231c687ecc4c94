/**
 * The webview's side of the protocol: `request(method, params)` posts a request and settles with its
 * response, a rejection carrying the extension's error message when it failed. DOM-free (the post
 * function is handed in), so it is tested in Node.
 */
import type { Method, Params, RequestMessage, ResponseMessage, Results } from '../src/webview/protocol';

export interface Requests {
  request<M extends Method>(method: M, params: Params<M>): Promise<Results[M]>;
  /** Hands a response from the extension to the request waiting for it; false when none waits. */
  settle(response: ResponseMessage): boolean;
}

export function createRequests(post: (message: RequestMessage) => void): Requests {
  let nextId = 1;
  const waiting = new Map<number, { resolve(result: unknown): void; reject(error: Error): void }>();
  return {
    request<M extends Method>(method: M, params: Params<M>): Promise<Results[M]> {
      const id = nextId++;
      return new Promise<Results[M]>((resolve, reject) => {
        waiting.set(id, { resolve: resolve as (result: unknown) => void, reject });
        post({ kind: 'request', id, method, params } as RequestMessage);
      });
    },
    settle(response) {
      const pending = response.id === null ? undefined : waiting.get(response.id);
      if (!pending) return false;
      waiting.delete(response.id!);
      if (response.ok) pending.resolve(response.result);
      else pending.reject(new Error(response.error));
      return true;
    },
  };
}
