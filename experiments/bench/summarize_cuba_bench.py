#!/usr/bin/python3
"""Summarizes the JSON lines of run_cuba_bench.sh: prints the table, writes the CSV and the Markdown report
(command, machine, date, table, qsnn/Brian2 ratios, rate agreement and the issue-3 targets)."""
import argparse
import csv
import datetime
import json
import os
import platform
import subprocess

COLUMNS = ['size', 'impl', 'mode', 'threads', 'duration_s', 'run_s', 'run_s_per_sim_s', 'setup_s', 'build_s',
           'compile_s', 'spikes', 'rate_hz', 'rate_exc_hz', 'rate_inh_hz', 'synapses', 'events', 'events_per_s',
           'neuron_steps_per_s', 'peak_rss_mb', 'rss_delta_mb', 'bytes_per_synapse', 'speedup_vs_brian2_standalone',
           'events_per_s_ratio_vs_brian2_standalone', 'speedup_vs_brian2_runtime', 'load_before']


def machine():
    cpu = platform.processor()
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    cpu = line.split(':', 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ''
    try:
        with open('/proc/meminfo') as f:
            mem = '%.0f GiB' % (int(f.readline().split()[1]) / 1024 / 1024)
    except OSError:
        pass
    gxx = subprocess.run(['g++', '--version'], capture_output=True, text=True).stdout.split('\n')[0]
    try:
        import brian2
        b2 = brian2.__version__
    except Exception:  # noqa: BLE001 - the report still works without Brian2
        b2 = 'not installed'
    return f'{cpu}, {os.cpu_count()} cores, {mem}; {platform.platform()}; {gxx}; Brian2 {b2}'


def fmt(value, digits=3):
    if value is None or value == '':
        return ''
    if isinstance(value, float):
        if value == 0:
            return '0'
        if abs(value) >= 1e5:
            return '%.3g' % value
        return ('%.' + str(digits) + 'g') % value
    return str(value)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('raw')
    parser.add_argument('--csv', required=True)
    parser.add_argument('--md', required=True)
    parser.add_argument('--command', default='experiments/bench/run_cuba_bench.sh')
    args = parser.parse_args()

    rows, failed = [], []
    with open(args.raw) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            record = json.loads(line)
            (failed if record.get('impl') == 'failed' else rows).append(record)

    def find(size, impl, mode, threads):
        for r in rows:
            if r['size'] == size and r['impl'] == impl and r['mode'] == mode and r['threads'] == threads:
                return r
        return None

    for r in rows:
        if r['impl'] != 'qsnn':
            continue
        sa = find(r['size'], 'brian2', 'standalone', r['threads'])
        if sa:
            r['speedup_vs_brian2_standalone'] = sa['run_s_per_sim_s'] / r['run_s_per_sim_s']
            r['events_per_s_ratio_vs_brian2_standalone'] = r['events_per_s'] / sa['events_per_s']
        rt = next((x for x in rows if x['size'] == r['size'] and x['mode'].startswith('runtime')), None)
        if rt:
            r['speedup_vs_brian2_runtime'] = rt['run_s_per_sim_s'] / r['run_s_per_sim_s']

    rows.sort(key=lambda r: (r['size'], r['threads'], r['impl'] != 'qsnn', r['mode']))
    with open(args.csv, 'w', newline='') as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS, extrasaction='ignore')
        writer.writeheader()
        for r in rows:
            writer.writerow({k: r.get(k, '') for k in COLUMNS})

    header = ['N', 'impl', 'mode', 'thr', 'sim s', 'run s / sim s', 'set-up s', 'compile s', 'spikes', 'rate Hz',
              'syn events', 'events/s', 'neuron-steps/s', 'peak MB', 'B/syn', 'x Brian2 sa', 'ev/s x Brian2 sa',
              'x Brian2 rt', 'load']
    table = []
    for r in rows:
        table.append([fmt(r['size']), r['impl'], r['mode'], fmt(r['threads']), fmt(r['duration_s']),
                      fmt(r['run_s_per_sim_s'], 4), fmt(r['setup_s']), fmt(r.get('compile_s', 0)),
                      fmt(r['spikes']), fmt(r['rate_hz'], 4), fmt(r['events']), fmt(r['events_per_s']),
                      fmt(r['neuron_steps_per_s']), fmt(r.get('peak_rss_mb')), fmt(r['bytes_per_synapse']),
                      fmt(r.get('speedup_vs_brian2_standalone')), fmt(r.get('events_per_s_ratio_vs_brian2_standalone')),
                      fmt(r.get('speedup_vs_brian2_runtime')), fmt(r.get('load_before'))])
    widths = [max(len(h), *(len(row[i]) for row in table)) if table else len(h) for i, h in enumerate(header)]
    text_lines = ['  '.join(h.rjust(w) for h, w in zip(header, widths))]
    text_lines += ['  '.join(c.rjust(w) for c, w in zip(row, widths)) for row in table]
    md_lines = ['| ' + ' | '.join(header) + ' |', '|' + '|'.join('---:' for _ in header) + '|']
    md_lines += ['| ' + ' | '.join(row) + ' |' for row in table]

    # Checks: rate agreement and the targets of issue 3.
    checks = []
    for size in sorted({r['size'] for r in rows}):
        q = find(size, 'qsnn', 'float64', 1)
        b = find(size, 'brian2', 'standalone', 1)
        if q and b:
            diff = (q['rate_hz'] - b['rate_hz']) / b['rate_hz']
            checks.append((f'N={size}: qsnn float64 rate {q["rate_hz"]:.3f} Hz vs Brian2 {b["rate_hz"]:.3f} Hz '
                           f'({diff:+.1%}, limit 10 %)', abs(diff) <= 0.10))
        qf = find(size, 'qsnn', 'fixed8', 1)
        if qf and b:
            s = qf.get('speedup_vs_brian2_standalone', 0)
            e = qf.get('events_per_s_ratio_vs_brian2_standalone', 0)
            if size <= 4000:
                checks.append((f'N={size}: fixed8 1 thread {s:.2f}x faster than Brian2 standalone (target >= 5x)', s >= 5))
            elif size <= 40000:
                checks.append((f'N={size}: fixed8 1 thread {e:.2f}x Brian2 standalone events/s (target >= 3x)', e >= 3))
            else:
                checks.append((f'N={size}: fixed8 1 thread {s:.2f}x faster than Brian2 standalone (target >= 5x)', s >= 5))
        for path in ('fixed8', 'float64'):
            one, two = find(size, 'qsnn', path, 1), find(size, 'qsnn', path, 2)
            if one and two:
                gain = one['run_s_per_sim_s'] / two['run_s_per_sim_s']
                if size <= 4000:
                    checks.append((f'N={size}: {path} 2 threads {gain:.2f}x of 1 thread (target: never slower, >= 1.0x)',
                                   gain >= 1.0))
                else:
                    checks.append((f'N={size}: {path} 2 threads {gain:.2f}x of 1 thread (target >= 1.7x)', gain >= 1.7))
        if qf:
            checks.append((f'N={size}: fixed8 {qf["bytes_per_synapse"]:.3f} bytes/synapse incl. row starts '
                           f'(target <= 3)', qf['bytes_per_synapse'] <= 3.0))
            if qf['synapses'] >= 30e6:
                checks.append((f'N={size}: {qf["synapses"] / 1e6:.1f} M synapses built in {qf["build_s"]:.2f} s '
                               f'(target < 2 s)', qf['build_s'] < 2.0))
    check_lines = [('met    ' if ok else 'MISSED ') + text for text, ok in checks]

    notes = []
    durations = {(r['size'], r['impl']): r['duration_s'] for r in rows}
    for (size, impl), d in sorted(durations.items()):
        others = {dd for (s, i), dd in durations.items() if s == size}
        if len(others) > 1:
            notes.append(f'N={size}: {impl} simulated {d} s (runs of one size differ in length; times are per '
                         f'simulated second, so they stay comparable)')
    longest = max((r['duration_s'] for r in rows), default=0)
    for size in sorted({r['size'] for r in rows}):
        shorter = sorted({(r['impl'], r['duration_s']) for r in rows if r['size'] == size and r['duration_s'] < longest})
        if shorter:
            notes.append(f'N={size}: shortened runs ' + ', '.join(f'{i} {d} s' for i, d in shorter) +
                         f' instead of {longest} s (times are per simulated second)')
    if not any(r['mode'].startswith('runtime') and r['size'] > 4000 for r in rows):
        notes.append('Brian2 runtime mode (cython) is measured at 4,000 neurons only, with 1 thread (it does not '
                     'use threads): larger sizes take too long.')
    for r in failed:
        notes.append(f'FAILED: {r.get("label")}')

    print('\n'.join(text_lines))
    print()
    print('\n'.join(check_lines))
    if notes:
        print()
        print('\n'.join('note: ' + n for n in notes))

    now = datetime.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')
    with open(args.md, 'w') as f:
        f.write('# CUBA benchmark (issue 3)\n\n')
        f.write(f'- command: `{args.command}` (from the repository root)\n')
        f.write(f'- machine: {machine()}\n')
        f.write(f'- date: {now}\n')
        f.write('- qsnn: `qsnn_bench_cuba` (Release); fixed8 = 8-bit weights, 24-bit state with 16 fractional bits, '
                'decay_shift 16; float64 = the same equations in double precision. run time = Network::run of '
                'the whole duration; set-up = network construction + synapse building.\n')
        f.write('- Brian2: `experiments/bench/brian2_cuba.py`; standalone run time = Brian2\'s own measurement of '
                'the simulation loop (last_run_info), set-up = binary wall time minus it, compile = code '
                'generation + g++; peak MB = the binary\'s peak RSS. Runtime mode: cython target, run time = '
                'net.run alone.\n')
        f.write('- columns: `x Brian2 sa` = Brian2 standalone run time / qsnn run time at the same thread count, '
                'per simulated second; `ev/s x Brian2 sa` = ratio of synaptic events per wall second; `load` = the '
                '1-minute load average before the run (other jobs on this 2-core machine inflate wall times, '
                'most of all for 2 threads).\n\n')
        f.write('\n'.join(md_lines) + '\n\n')
        f.write('## Checks\n\n' + '\n'.join('- ' + line for line in check_lines) + '\n')
        if notes:
            f.write('\n## Notes\n\n' + '\n'.join('- ' + n for n in notes) + '\n')


if __name__ == '__main__':
    main()
