/**
 * Composition wires adapters to use cases. Handlers import the ready functions of an area module
 * (`./auth`, `./integration`, `./settings`, `./sync`, `./rooms`, `./dead-letters`, `./mail`,
 * `./housekeeping`, `./health`); this index holds only the test and host hooks.
 */
export { overrideServices, resetServices, type ServiceOverrides } from "./services";
