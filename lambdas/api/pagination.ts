import type { CursorCodec, PageRequest } from '../core/pagination.js';
import type { Paged } from '../core/ports.js';
import type { ListQuery } from '../core/schemas/common.js';

/** Decodes `?limit&cursor` for one list; the scope string binds cursors to the list that issued them. */
export function pageRequest(cursors: CursorCodec, scope: string, query: ListQuery): PageRequest {
  return { limit: query.limit, after: query.cursor ? cursors.decode(scope, query.cursor) : undefined };
}

export function pageResponse<T>(cursors: CursorCodec, scope: string, paged: Paged<T>) {
  return {
    data: paged.items,
    nextCursor: paged.last ? cursors.encode(scope, paged.last) : null,
    hasMore: paged.last !== null,
  };
}

/**
 * One page of a list as the API answers it: `read` gets the request decoded from `?limit&cursor`, and the next
 * cursor is signed for the same list scope.
 */
export async function listPage<T>(
  cursors: CursorCodec,
  scope: string,
  query: ListQuery,
  read: (page: PageRequest) => Promise<Paged<T>>,
) {
  return pageResponse(cursors, scope, await read(pageRequest(cursors, scope, query)));
}
