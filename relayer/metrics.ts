/** Prometheus text exposition of the relayer's state. */

export interface MetricSample {
  readonly name: string
  readonly help: string
  readonly type: 'counter' | 'gauge'
  readonly values: readonly {
    readonly labels?: Readonly<Record<string, string>>
    readonly value: number
  }[]
}

function labels(l: Readonly<Record<string, string>> | undefined): string {
  if (!l || Object.keys(l).length === 0) return ''
  return `{${Object.entries(l)
    .map(([k, v]) => `${k}="${v.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`)
    .join(',')}}`
}

export function renderMetrics(samples: readonly MetricSample[]): string {
  return `${samples
    .map((s) =>
      [
        `# HELP ${s.name} ${s.help}`,
        `# TYPE ${s.name} ${s.type}`,
        ...s.values.map((v) => `${s.name}${labels(v.labels)} ${v.value}`),
      ].join('\n'),
    )
    .join('\n')}\n`
}
