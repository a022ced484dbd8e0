import { Runtime } from 'aws-cdk-lib/aws-lambda';
import type { BundlingOptions, ICommandHooks } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogLevel, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BuildOptions } from 'esbuild';
import { entryPath, type LambdaName } from './lambda-entries.js';

/**
 * How every Lambda is bundled, written once: the CDK functions, the bundle-size test and bench/bundles.ts all
 * read these values, so what we measure is what we deploy.
 */
export const LAMBDA_RUNTIME = Runtime.NODEJS_22_X;

// esbuild's target follows the runtime ('nodejs22.x' → 'node22'), so syntax is never lowered for an older Node.
export const LAMBDA_NODE_TARGET = LAMBDA_RUNTIME.name.replace(/^nodejs(\d+)\.x$/, 'node$1');

/**
 * Which modules each Lambda leaves to the runtime: none. The Lambda Node.js runtime ships AWS SDK v3, but loading
 * it from there means resolving and compiling hundreds of small files (bench/bundles.ts measured a worker's cold
 * import at ~520 ms with the SDK external and ~340 ms with it bundled and minified), and it is whatever version the
 * runtime has that day rather than the one the tests ran. So every function bundles the SDK it uses, pinned by
 * the lockfile; the api too, since issue 15 (1.61 MB bundled, against 1.01 MB with the SDK external).
 */
export function externalModules(_name: LambdaName): string[] {
  return [];
}

// Prefer ESM builds of dependencies so esbuild can tree-shake them.
export const MAIN_FIELDS = ['module', 'main'];

// ESM output has no `require`; CommonJS dependencies that call it (nunjucks, ajv, ...) get one from
// createRequire. The alias avoids colliding with a bundled `import { createRequire }` when not minified.
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __verdictCreateRequire } from 'node:module'; const require = __verdictCreateRequire(import.meta.url);";

/** NodejsFunction bundling: local esbuild only (never Docker), minified ESM with source maps. */
export function cdkBundling(name: LambdaName, commandHooks?: ICommandHooks): BundlingOptions {
  return {
    forceDockerBundling: false,
    format: OutputFormat.ESM,
    target: LAMBDA_NODE_TARGET,
    minify: true,
    sourceMap: true,
    sourceMapMode: SourceMapMode.DEFAULT,
    sourcesContent: false,
    externalModules: externalModules(name),
    mainFields: MAIN_FIELDS,
    banner: ESM_REQUIRE_BANNER,
    logLevel: LogLevel.WARNING,
    commandHooks,
  };
}

/** The esbuild build that cdkBundling() amounts to, for measuring bundles outside CDK. */
export function esbuildOptions(name: LambdaName, outfile: string): BuildOptions {
  return {
    entryPoints: [entryPath(name)],
    outfile,
    bundle: true,
    platform: 'node',
    target: LAMBDA_NODE_TARGET,
    format: 'esm',
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    external: externalModules(name),
    mainFields: MAIN_FIELDS,
    banner: { js: ESM_REQUIRE_BANNER },
    logLevel: 'warning',
    metafile: true,
  };
}

// lambdas/api/docs.ts serves the reference page's assets from the swagger-ui-dist package, located with
// require.resolve at run time; esbuild cannot inline them, so they are copied next to the bundle.
const SWAGGER_UI_FILES = ['package.json', 'swagger-ui.css', 'swagger-ui-bundle.js'];

export const apiDocsAssetsHook: ICommandHooks = {
  beforeBundling: () => [],
  beforeInstall: () => [],
  afterBundling: (inputDir, outputDir) => {
    const target = `${outputDir}/node_modules/swagger-ui-dist`;
    const source = `${inputDir}/node_modules/swagger-ui-dist`;
    return [`mkdir -p "${target}"`, ...SWAGGER_UI_FILES.map((file) => `cp "${source}/${file}" "${target}/${file}"`)];
  },
};
