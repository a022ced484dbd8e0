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
