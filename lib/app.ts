import { App } from 'aws-cdk-lib';
import { ensureWebBuild } from '../local/web-build.js';
import { addVerdictStack } from './verdict-app.js';

// `npx cdk synth|deploy` runs this file (cdk.json → "app"); the CLI synthesizes the app when it exits.
// The web app is uploaded from web/dist: build it first when its sources are newer.
await ensureWebBuild((line) => console.error(line));
addVerdictStack(new App());
