// ALEXIS (solar-flare catalogue) on stagebook: onboarding catalogues, stage 1 (download), stage 2 (clean + peaks).
export { AlexisCatalogues, ONBOARDING_SOURCES } from './catalogues';
export type { OnboardingSource, AiaAvailabilityRow, SxiAvailabilityRow, GoesDataRow, KnownFlareRow, HarpRow } from './catalogues';
export { onboardAlexis, onboardingOptionsSchema, timeWindows } from './onboarding';
export type { OnboardingOptions, OnboardingProgress, OnboardingResult } from './onboarding';
