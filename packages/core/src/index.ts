/**
 * @medledger/core: the record model, crypto and policy vocabulary shared by the gateway, the CLI
 * and the web app. No I/O; runs in Node and in browsers.
 */

export * from './actorLabel.ts';
export * from './audit/index.ts';
export * from './bytes.ts';
export * from './crypto/index.ts';
export * from './duration.ts';
export * from './emergency.ts';
export { errorReport } from './errorReport.ts';
export * from './errors.ts';
export * from './fhir/index.ts';
export * from './keyBackup/index.ts';
export * from './readOnlyRpc.ts';
export { describedReasons, describeRefusal } from './refusalWords.ts';
export * from './staffAttestation.ts';
export * from './typedData.ts';
export * from './vocabulary.ts';
export { type CoSignatureRequirementWords, coSignatureRuleText, votesText, withArticle } from './words.ts';
