// Rendering a member's files from templates/: the etcd-style config file, the systemd unit and
// the kubelet static pod manifest. Pure functions of their input; each output is parsed back
// and checked before it is returned.
export { RenderError } from './errors';
export { RUNTIMES, DEFAULT_SNAPSHOT_COUNT, joinHostPort, memberUrls } from './input';
export type { Runtime, MemberPorts, ClusterMember, MemberRenderInput, MemberUrls } from './input';
export { ETCD_CONFIG_KEYS, SECURITY_KEYS, configKeyOfFlag, placeFlag } from './etcd-keys';
export type { FlagValue, KeyType, ConfigKey } from './etcd-keys';
export { renderConfigFile, checkConfigFile } from './config-file';
export { configFileCommand, renderSystemdUnit, checkSystemdUnit, parseSystemdUnit, quoteSystemdArgs, splitSystemdArgs } from './systemd';
export type { UnitSections } from './systemd';
export { ADVERTISE_ANNOTATION, renderStaticPod, checkStaticPod, memberCommand, memberFlags } from './static-pod';
export { renderMember } from './member';
export type { RenderedFile } from './member';
export { parseGoDuration } from './duration';
