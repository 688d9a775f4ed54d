// Pricing of LLM calls: the maintained price table, user overrides, token estimates.
export { cacheReadSavingPerToken, isUnbilled, priceCall, pricedCall, type CallPrice, type PriceCallOptions, type PricedCallWithSource } from './price-call';
export { parsePriceOverrides, findOverride, overrideMatchesModel, type PriceOverride, type ParsedPriceOverrides } from './overrides';
export { withEstimatedTokens, estimatePromptTokens, estimateCompletionTokens, type EstimatedCall } from './estimate';
export { resolveProvider, sameProvider, type ProviderResolution } from './providers';
export { usageOf, type TokenUsage } from './usage';
