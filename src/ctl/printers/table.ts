// etcdctl's `-w table`: only the member and endpoint lists and the snapshot status.
import { humanizeBytes } from '../humanize';
import { renderTable } from '../table';
import {
  dbStatusRows, endpointHashKVRows, endpointHealthRows, endpointStatusRows, memberListRows, type Output, type Printer,
} from './printer';
import { unsupportedPrinter } from './unsupported';

export function tablePrinter(o: Output): Printer {
  const print = ({ header, rows }: { header: string[]; rows: string[][] }) => o.out(renderTable(header, rows));
  return {
    ...unsupportedPrinter('table'),
    memberList: (r) => print(memberListRows(r)),
    endpointHealth: (list) => print(endpointHealthRows(list)),
    endpointStatus: (list) => print(endpointStatusRows(list, humanizeBytes)),
    endpointHashKV: (list) => print(endpointHashKVRows(list)),
    dbStatus: (s) => print(dbStatusRows(s, humanizeBytes)),
  };
}
