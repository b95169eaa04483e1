// The providers this extension speaks to, each one module behind the same interface. Everything above the kernel
// loops over PROVIDERS or asks `providerOf`: adding a provider is a new module here, not a branch elsewhere.
import { difyProvider } from './dify/provider';
import { flowiseProvider } from './flowise/provider';
import type { Provider } from './types';

export const PROVIDERS: readonly Provider[] = [difyProvider, flowiseProvider];

/** The provider of an id; an unknown or missing one is the first (Dify), as settings without `provider` mean. */
export function providerOf(id: string | undefined): Provider {
  return PROVIDERS.find((p) => p.id === id) ?? PROVIDERS[0];
}
