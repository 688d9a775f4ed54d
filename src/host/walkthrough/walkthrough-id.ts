/** The walkthrough's id in package.json (`contributes.walkthroughs`); VS Code keys it as `<extension id>#<this>`. */
export const WALKTHROUGH_ID = 'spyglass.gettingStarted';
