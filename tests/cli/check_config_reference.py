#!/usr/bin/python3
"""Checks that experiments/configs/reference.toml documents exactly the keys the config parser accepts.

usage: check_config_reference.py QSNN_BINARY REFERENCE.toml
For every table of the reference, an undocumented key is added with --set; qsnn's error lists the keys it
allows there, which must equal the keys the reference writes in tables of that kind. Exits 1 on a mismatch.
"""
import re
import subprocess
import sys
import tomllib

qsnn, reference = sys.argv[1], sys.argv[2]
with open(reference, 'rb') as f:
    config = tomllib.load(f)

# (path of one table to probe, the tables whose keys together must be the allowed set)
groups = [('', [config]), ('run', [config['run']]), ('chip', [config['chip']]), ('record', [config['record']])]
for kind in ('lif', 'poisson', 'spike-times'):
    indices = [i for i, p in enumerate(config['population']) if p['kind'] == kind]
    groups.append((f'population[{indices[0]}]', [config['population'][i] for i in indices]))
fixed = [i for i, p in enumerate(config['population']) if 'fixed' in p]
groups.append((f'population[{fixed[0]}].fixed', [config['population'][i]['fixed'] for i in fixed]))
init = [i for i, p in enumerate(config['population']) if isinstance(p.get('initial_voltage'), dict)]
groups.append((f'population[{init[0]}].initial_voltage', [config['population'][i]['initial_voltage'] for i in init]))
groups.append(('projection[0]', config['projection']))
for sub in ('connectivity', 'weights', 'delays', 'quantization'):
    with_sub = [i for i, p in enumerate(config['projection']) if sub in p]
    groups.append((f'projection[{with_sub[0]}].{sub}', [config['projection'][i][sub] for i in with_sub]))
# Keys every rule takes may be documented on any [[plasticity]] table.
common = {'projection', 'rule', 'pairing', 'trace', 'write_back', 'normalize'}
documented_common = {k: True for p in config['plasticity'] for k in p if k in common}
for rule in ('pair-stdp', 'triplet-stdp', 'diehl-cook'):
    indices = [i for i, p in enumerate(config['plasticity']) if p['rule'] == rule]
    groups.append((f'plasticity[{indices[0]}]', [config['plasticity'][i] for i in indices] + [documented_common]))
for sub in ('trace', 'write_back', 'normalize'):
    with_sub = [i for i, p in enumerate(config['plasticity']) if sub in p]
    groups.append((f'plasticity[{with_sub[0]}].{sub}', [config['plasticity'][i][sub] for i in with_sub]))
for sub in ('spikes', 'state'):
    groups.append((f'record.{sub}[0]', config['record'][sub]))

problems = []
for path, tables in groups:
    documented = set().union(*(t.keys() for t in tables))
    key = (path + '.' if path else '') + 'zz_undocumented'
    result = subprocess.run([qsnn, 'check', reference, '--set', f'{key}=1'], capture_output=True, text=True)
    match = re.search(r"key '" + re.escape(key) + r"' is unknown \(allowed: ([^)]*)\)", result.stderr)
    if result.returncode != 2 or not match:
        problems.append(f'{path or "top level"}: no unknown-key error for {key}: {result.stderr.strip()}')
        continue
    allowed = set(match.group(1).split(', '))
    if allowed != documented:
        problems.append(f'{path or "top level"}: accepted but undocumented {sorted(allowed - documented)}, '
                        f'documented but not accepted {sorted(documented - allowed)}')
for problem in problems:
    print(f'{reference}: {problem}')
sys.exit(1 if problems else 0)
