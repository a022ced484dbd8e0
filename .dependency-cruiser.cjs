/**
 * The import rules of docs/architecture.md, checked by `npm run lint` (depcruise). Type-only imports count for
 * the layering rules (a type names what a module depends on) but not for cycles (they vanish at runtime).
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'core-no-sdk-or-edge-library',
      comment: 'lambdas/core is the domain: no AWS SDK, no Hono, no openai client, no raw node:http (adapters do that)',
      severity: 'error',
      from: { path: '^lambdas/core/' },
      // Resolved (node_modules/…) or not (a bare name, as in test/unit/import-rules.test.ts's planted tree).
      to: { path: '(^|node_modules/)(@aws-sdk|@smithy|hono|@hono|openai)(/|$)|^(node:)?https?$' },
    },
    {
      name: 'core-no-adapter',
      comment: 'lambdas/core imports only lambdas/core and libraries: never an adapter, the API, local/ or sdk/',
      severity: 'error',
      from: { path: '^lambdas/core/' },
      to: { path: '^(lambdas/(?!core/)|local/|sdk/|infra/|bench/|test/)' },
    },
    {
      name: 'aws-not-api',
      comment: 'the AWS adapters implement core ports; they never reach up into the API edge',
      severity: 'error',
      from: { path: '^lambdas/aws/' },
      to: { path: '^lambdas/api/' },
    },
    {
      name: 'sdk-no-server-code',
      comment: 'sdk/ is what users install: it never imports the AWS adapters or the local stack',
      severity: 'error',
      from: {
        path: '^sdk/',
        // The keys command still opens the local store directly; issue 19's "keys commands in one place" (the
        // `emulators` branch reworks this CLI) takes it out of sdk/, and this exception goes with it.
        pathNot: '^sdk/cli/keys\\.ts$',
      },
      to: { path: '^(lambdas/aws/|local/)' },
    },
    {
      name: 'web-only-through-sdk',
      comment: 'the web app talks to Verdict through the sdk client, like any other user',
      severity: 'error',
      from: { path: '^web/' },
      to: { path: '^(lambdas/|local/|infra/)' },
    },
    {
      name: 'services-pipeline-apart',
      comment: 'request-time services and the pipeline workers meet in lambdas/core/runs, not in each other',
      severity: 'error',
      from: { path: '^lambdas/core/(services|pipeline)/' },
      to: { path: '^lambdas/core/(services|pipeline)/', pathNot: '^lambdas/core/$1/' },
    },
    {
      name: 'runs-below-services-and-pipeline',
      comment: 'the Run is used by services and the pipeline; it depends on neither',
      severity: 'error',
      from: { path: '^lambdas/core/runs/' },
      to: { path: '^lambdas/core/(services|pipeline)/' },
    },
    {
      name: 'schemas-are-leaves',
      comment: 'zod schemas are the types everything else uses: they import no domain module',
      severity: 'error',
      from: { path: '^lambdas/core/schemas/' },
      to: { path: '^lambdas/core/(monitors|metrics|services|pipeline|runs)/' },
    },
    {
      name: 'no-runtime-cycles',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(cdk\\.out|\\.verdict|scratch|docs|statemachines|web/dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
  },
};
