/** The walkthrough's id in package.json (`contributes.walkthroughs`); VS Code keys it as `<extension id>#<this>`. */
export const WALKTHROUGH_ID = 'spyglass.gettingStarted';

/**
 * A step of the walkthrough that is never shown (`when: false`): asking VS Code to un-mark it
 * succeeds only once VS Code has registered the walkthrough (open-walkthrough.ts).
 */
export const REGISTRATION_PROBE_STEP = 'spyglass.registered';
