#!/usr/bin/python3
"""Summarizes the JSON lines of run_stdp_bench.sh: prints the table, writes the CSV and the Markdown report
(command, machine, date, table, ratios against Brian2 C++ standalone, firing-rate agreement, the targets of
the learning issue and the Diehl & Cook epoch timing)."""
import argparse
import csv
import datetime
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from summarize_cuba_bench import fmt, machine  # noqa: E402 - shared report helpers

COLUMNS = ['simulator', 'mode', 'rule', 'threads', 'samples', 'boosts', 's_per_sample', 'setup_s', 'compile_s',
           'input_spikes', 'events', 'plastic_updates', 'updates_per_s', 'rate_exc_hz', 'input_spikes_per_sample',
           'mean_weight', 'mean_theta_mv', 'ratio_vs_brian2_standalone', 'load_before']
EPOCH_SAMPLES = 60000


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('raw')
    parser.add_argument('--csv', required=True)
    parser.add_argument('--md', required=True)
    parser.add_argument('--command', default='experiments/bench/run_stdp_bench.sh')
    args = parser.parse_args()

    rows, failed = [], []
    with open(args.raw) as f:
        for line in f:
            record = json.loads(line)
            if record.get('impl') == 'failed':
                failed.append(record['label'])
            else:
                record['simulator'] = record.pop('impl')
                rows.append(record)
    bench = [r for r in rows if not r.get('epoch_mode')]
    epoch = [r for r in rows if r.get('epoch_mode')]
    standalone = [r for r in bench if r['simulator'] == 'brian2' and r['mode'] == 'standalone']
    best = min(standalone, key=lambda r: r['s_per_sample']) if standalone else None  # the peer at its best
    for r in bench:
        r['ratio_vs_brian2_standalone'] = best['s_per_sample'] / r['s_per_sample'] if best else ''

    with open(args.csv, 'w', newline='') as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS, extrasaction='ignore')
        writer.writeheader()
        for r in bench + epoch:
            writer.writerow({c: r.get(c, '') for c in COLUMNS})

    header = ['simulator', 'mode', 'thr', 'samples', 's / sample', 'set-up s', 'compile s', 'input spikes / sample',
              'syn events', 'plastic updates', 'updates / s', 'exc rate Hz', 'mean w', 'mean theta mV',
              'x Brian2 sa', 'load']
    table = ['| ' + ' | '.join(header) + ' |', '|' + '---:|' * len(header)]
    for r in bench:
        table.append('| ' + ' | '.join(fmt(v) for v in [
            r['simulator'], r['mode'], r['threads'], r['samples'], r['s_per_sample'], r['setup_s'],
            r.get('compile_s', 0.0), r['input_spikes_per_sample'], r['events'], r['plastic_updates'],
            r['updates_per_s'], r['rate_exc_hz'], r['mean_weight'], r['mean_theta_mv'],
            r['ratio_vs_brian2_standalone'], r.get('load_before', '')]) + ' |')

    checks = []
    def check(ok, text):
        checks.append(('- met    ' if ok else '- MISSED ') + text)
    if best:
        checks.append(f'- reference: Brian2 standalone at its best, {best["threads"]} thread(s): '
                      f'{best["s_per_sample"]:.4f} s per sample')
        for r in bench:
            if r['simulator'] == 'qsnn':
                ratio = r['ratio_vs_brian2_standalone']
                check(ratio >= 5.0, f'qsnn {r["mode"]} {r["threads"]} thread(s): {ratio:.2f}x Brian2 standalone '
                                    '(target >= 5x)')
        for r in bench:
            if r['simulator'] == 'qsnn' and r['mode'] == 'float64' and r['threads'] == best['threads']:
                diff = r['rate_exc_hz'] / best['rate_exc_hz'] - 1.0
                check(abs(diff) <= 0.10, f'exc firing rate qsnn float64 {r["rate_exc_hz"]:.4f} Hz vs Brian2 '
                                         f'{best["rate_exc_hz"]:.4f} Hz ({100 * diff:+.1f} %, limit 10 %)')
    for r in epoch:
        projected = r['s_per_sample'] * EPOCH_SAMPLES
        check(projected < 300.0, f'D&C epoch, {r["threads"]} threads: {r["s_per_sample"] * 1e3:.2f} ms per sample '
                                 f'measured over {r["samples"]} samples -> PROJECTION {projected:.0f} s for 60,000 '
                                 'samples (target < 300 s)')
    for label in failed:
        checks.append(f'- FAILED run: {label}')

    now = datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')
    lines = [
        '# STDP learning benchmark (Diehl & Cook network)', '',
        f'- command: `{args.command}` (from the repository root)',
        f'- machine: {machine()}',
        f'- date: {now}',
        '- network: experiments/networks/diehl_cook_network.hpp - 784 Poisson inputs -> 400 exc LIF with '
        'adaptive threshold -> 1:1 inh -> all other exc; current-based equivalent of D&C\'s conductances; '
        'dt 0.5 ms; per sample: weight normalization (sum 78.4), 350 ms image, 150 ms rest.',
        '- rule (benchmark rows): pair STDP with per-neuron traces, nearest pairing (learning::PairStdp; in '
        'Brian2 apre in the input group, apost in the exc group); whole training as one run() in Brian2, '
        'normalization by run_regularly every 500 ms. No rate boost in these rows (one run() cannot repeat a '
        'sample).',
        '- inputs: NO DATASET. Synthetic, deterministic image-like rate patterns (qsnn_bench_stdp '
        'synthetic_image: 1-3 textured soft ellipses, 28 x 28, mean pixel ~73, ~51 % black, like '
        'Fashion-MNIST), written by qsnn to a file Brian2 reads; rate = pixel / 4 Hz, ~5,000 input spikes per '
        'sample. Poisson draws differ between the simulators, the rates do not.',
        '- qsnn fixed8: 8-bit unsigned input weights (w_max = 235 codes), 24-bit state with 16 fractional bits, '
        'stochastic rounding of weight updates; float64: the same model in double precision.',
        '- timing: `s / sample` = the training loop only (qsnn: steady_clock around the samples; Brian2 '
        'standalone: its own run time, last_run_info; runtime: net.run). set-up = network and synapses (Brian2 '
        'standalone: binary wall time minus run time); compile = Brian2 code generation + compilation.',
        '- counts: syn events = input spikes x 400 + exc spikes + inh spikes x 399; plastic updates = rule calls '
        '= input spikes x 400 + exc spikes x 784; `x Brian2 sa` = best Brian2 standalone s/sample / this '
        's/sample; `load` = 1-minute load average before the run (other jobs inflate wall times).',
        '', *table, '', '## Checks', '', *checks, '',
    ]
    if epoch:
        lines += ['## Diehl & Cook epoch timing', '']
        for r in epoch:
            lines += [
                f'- measured: {r["samples"]} training samples ({r["boosts"]} rate boosts), rule {r["rule"]}, '
                f'{r["mode"]}, {r["threads"]} threads: {r["run_s"]:.2f} s, {r["s_per_sample"] * 1e3:.2f} ms per sample '
                f'(load before: {r.get("load_before", "?")})',
                f'- PROJECTION (not measured): 60,000 samples x {r["s_per_sample"] * 1e3:.2f} ms = '
                f'{r["s_per_sample"] * EPOCH_SAMPLES:.0f} s ({r["s_per_sample"] * EPOCH_SAMPLES / 60:.1f} min); '
                'the boost rate of synthetic images may differ from Fashion-MNIST\'s',
                '- the full measured epoch: `build-bench/experiments/bench/qsnn_bench_stdp --epoch --rule diehl_cook '
                '--path fixed --threads 2 --samples 60000`',
            ]
        lines.append('')
    with open(args.md, 'w') as f:
        f.write('\n'.join(lines))
    print('\n'.join(table + [''] + checks))


if __name__ == '__main__':
    main()
