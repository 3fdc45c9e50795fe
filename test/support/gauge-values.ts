// Every value a prom-client gauge is set to from now on: a gauge that is 1 only while something runs
// (a defragment, a snapshot being applied) is seen to have been 1 without catching it in flight.
import type { Gauge, Registry } from 'prom-client';

export function recordGauge(registry: Registry, name: string): number[] {
  const gauge = registry.getSingleMetric(name) as Gauge | undefined;
  if (gauge === undefined) throw new Error(`no metric ${name}`);
  const values: number[] = [];
  const set = gauge.set.bind(gauge) as (value: number) => void;
  gauge.set = ((value: number) => {
    values.push(value);
    set(value);
  }) as Gauge['set'];
  return values;
}
