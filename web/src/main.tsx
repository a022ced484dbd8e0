import { QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { RouterProvider } from 'react-router';
import { VerdictApiError } from '../../sdk/errors.js';
import { isUnauthorized } from './api/client.js';
import { forgetApiKey } from './api/session.js';
import { router } from './routes.js';
import './styles.css';

const queryClient = new QueryClient({
  queryCache: new QueryCache({
    // A key revoked while the tab is open: back to sign-in, saying why.
    onError: (error) => {
      if (isUnauthorized(error)) {
        forgetApiKey();
        void router.navigate('/signin?expired=1');
      }
    },
  }),
  defaultOptions: {
    queries: {
      staleTime: 5_000,
      refetchOnWindowFocus: false,
      // The SDK already retried what is worth retrying; a 4xx will not change on its own.
      retry: (count, error) => !(error instanceof VerdictApiError && error.status < 500) && count < 1,
    },
  },
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  </StrictMode>,
);
