// The cairnadm configuration file: types, defaults, loading and validation (every error names
// the field and its line), the init-defaults example, and the bridge to the PKI and render inputs.
export { API_VERSION, KIND } from './types';
export type { AdmConfig, HostConfig, PathsConfig, CertificatesConfig } from './types';
export { DEFAULTS, MANAGED_FLAGS } from './defaults';
export { ConfigError, formatIssue } from './errors';
export type { ConfigIssue } from './errors';
export { resolveConfig } from './resolve';
export type { ResolveOptions } from './resolve';
export { parseConfig, loadConfigFile } from './load';
export { initDefaults } from './init-defaults';
export { hostByName, peerUrl, certificateOptions, memberRenderInput, withBaseDir } from './member';
