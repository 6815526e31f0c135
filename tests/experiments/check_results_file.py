#!/usr/bin/python3
"""Reads a qsnn results file with h5py and checks it against what the writer had in memory.

usage: check_results_file.py RESULT.h5 EXPECTED.txt
EXPECTED.txt lines: "spike POPULATION TIME_MS NODE", "epochs N", "weights PROJECTION SNAPSHOTS SYNAPSES DTYPE",
"state POPULATION VARIABLE SAMPLES NEURONS", "config TEXT-SHA-FREE-LENGTH".
Exits 1 with one line per mismatch.
"""
import sys

import h5py
import numpy as np

path, expected_path = sys.argv[1], sys.argv[2]
problems = []


def expect(condition, message):
    if not condition:
        problems.append(message)


spikes, epochs, weights, states = {}, None, [], []
with open(expected_path) as f:
    for line in f:
        parts = line.split()
        if parts[0] == 'spike':
            spikes.setdefault(parts[1], []).append((float(parts[2]), int(parts[3])))
        elif parts[0] == 'epochs':
            epochs = int(parts[1])
        elif parts[0] == 'weights':
            weights.append((parts[1], int(parts[2]), int(parts[3]), parts[4]))
        elif parts[0] == 'state':
            states.append((parts[1], parts[2], int(parts[3]), int(parts[4])))

with h5py.File(path, 'r') as f:
    expect(f.attrs['format'] == 'qsnn-results', 'root format attribute')
    expect(f.attrs['status'] == 'complete', f"status is {f.attrs['status']!r}")
    for attr in ('created_utc', 'finished_utc', 'wall_seconds', 'format_version'):
        expect(attr in f.attrs, f'root attribute {attr} missing')
    for group in ('provenance', 'spikes', 'state', 'metrics', 'weights', 'quant'):
        expect(group in f, f'group /{group} missing')
    p = f['provenance']
    for name in ('config_source', 'config_resolved', 'overrides'):
        expect(name in p, f'/provenance/{name} missing')
    expect(p['config_source'].asstr()[()].startswith('# qsnn test config'), 'config_source text')
    expect(list(p['overrides'].asstr()[()]) == ['run.seed=7'], 'overrides')
    for attr in ('simulator_version', 'seed', 'threads', 'hostname', 'started_utc', 'command_line', 'hdf5_version'):
        expect(attr in p.attrs, f'/provenance attribute {attr} missing')
    expect(int(p.attrs['seed']) == 7, 'seed')

    for population, pairs in spikes.items():
        g = f['spikes'][population]
        expect(h5py.check_enum_dtype(h5py.h5a.open(g.id, b'sorting').dtype) ==
               {'none': 0, 'by_id': 1, 'by_time': 2}, 'sorting enum type')
        expect(int(g.attrs['sorting']) == 2, 'sorting = by_time')
        expect(g['timestamps'].attrs['units'] == 'ms', 'timestamp units')
        t, ids = g['timestamps'][()], g['node_ids'][()]
        expect(ids.dtype == np.uint64 and t.dtype == np.float64, 'SONATA dtypes')
        expected_t = np.array([a for a, _ in pairs])
        expected_ids = np.array([b for _, b in pairs], dtype=np.uint64)
        expect(len(t) == len(pairs), f'{population}: {len(t)} spikes, expected {len(pairs)}')
        if len(t) == len(pairs):
            expect(np.array_equal(t, expected_t) and np.array_equal(ids, expected_ids), f'{population}: spikes differ')
        expect(g['timestamps'].compression == 'gzip' and g['timestamps'].shuffle, 'spike compression')
        expect(g['timestamps'].chunks[0] * 8 <= 1 << 20, 'spike chunks <= 1 MiB')

    for population, variable, samples, neurons in states:
        g = f['state'][population][variable]
        expect(g['values'].shape == (samples, neurons), f'state {population}/{variable} shape {g["values"].shape}')
        expect(len(g['times']) == samples and len(g['node_ids']) == neurons, 'state axes')

    e = f['metrics']['epochs']
    expect(e.shape == (epochs,), f'epochs {e.shape}')
    for field in ('epoch', 'train_accuracy', 'test_accuracy', 'loss', 'n_spikes', 'wall_seconds',
                  'updates_proposed', 'updates_lost_to_rounding', 'saturations'):
        expect(field in e.dtype.names, f'epoch field {field} missing')
    expect(list(e['epoch']) == list(range(epochs)), 'epoch numbers')
    c = f['metrics']['confusion'][()]
    expect(c.shape[0] == c.shape[1], 'confusion is square')

    for projection, snapshots, synapses, dtype in weights:
        g = f['weights'][projection]
        values = g['q'] if 'q' in g else g['w']
        expect(values.shape == (snapshots, synapses), f'weights {projection} shape {values.shape}')
        expect(str(values.dtype) == dtype, f'weights {projection} dtype {values.dtype}')
        expect(g['scale'].shape == (snapshots,) and g['epoch'].shape == (snapshots,), 'snapshot axes')
        expect(len(g['pre']) == synapses and len(g['post']) == synapses, 'synapse index')
        for attr in ('bits', 'rounding', 'scheme', 'formula', 'pre_population', 'post_population'):
            expect(attr in g.attrs, f'weights attribute {attr} missing')
    expect(len(f['quant']['populations']) > 0, 'overflow counters')
    for population in f['quant']['populations']:
        for variable in ('current', 'voltage', 'theta'):
            expect('saturated_high' in f['quant']['populations'][population][variable].attrs, 'counter attrs')

for problem in problems:
    print(f'{path}: {problem}')
sys.exit(1 if problems else 0)
