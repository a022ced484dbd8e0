import { App } from 'aws-cdk-lib';
import { addVerdictStack } from './verdict-app.js';

// `npx cdk synth|deploy` runs this file (cdk.json → "app"); the CLI synthesizes the app when it exits.
addVerdictStack(new App());
