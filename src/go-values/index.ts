// Values as Go's flag, strconv and time packages read and print them (etcd and etcdctl are Go).
export { parseGoBool, parseGoInteger, parseGoDuration, formatGoDuration } from './go-values';
