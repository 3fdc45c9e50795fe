// One printer per output format, as etcdctl's printer_*.go.
import type { OutputFormat } from '../global';
import { fieldsPrinter } from './fields';
import { JsonPrinter } from './json';
import type { Output, Printer } from './printer';
import { protobufPrinter } from './protobuf';
import { SimplePrinter } from './simple';
import { tablePrinter } from './table';

export function printerFor(format: OutputFormat, output: Output, isHex: boolean): Printer {
  switch (format) {
    case 'simple': return new SimplePrinter(output, isHex);
    case 'json': return new JsonPrinter(output);
    case 'fields': return fieldsPrinter(output);
    case 'table': return tablePrinter(output);
    case 'protobuf': return protobufPrinter(output);
  }
}

export type { Output, Printer, EndpointHealth, EndpointStatus, EndpointHashKV, DbStatus } from './printer';
export { hex16, hexSpace16 } from './printer';
export { hexBytes } from './simple';
