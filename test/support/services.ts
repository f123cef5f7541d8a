import { overrideServices, resetServices, type ServiceOverrides } from "../../shared/composition";
import { getServices, type Services } from "../../shared/composition/services";

/**
 * Tests inject dependencies one way: settings through the environment (then `resetServices()`), or
 * members replaced with `overrideServices({...})`, as here. Returns the services every composition
 * function (and so every handler) now uses; call `resetServices()` when done.
 */
export async function servicesWith(overrides: ServiceOverrides): Promise<Services> {
  await overrideServices(overrides);
  return getServices();
}

export { resetServices };
