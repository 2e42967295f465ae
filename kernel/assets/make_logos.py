# Draws the kernel logos (run in this folder): a small neural net on Rust orange.
import math, struct, zlib
# Geometry in a 64x64 box.
BG = (0xB7, 0x41, 0x0E)      # rust orange
FG = (0xFF, 0xFF, 0xFF)
layers = [[20, 44], [14, 32, 50], [32]]
xs = [14, 32, 50]
nodes = [(xs[i], y) for i, layer in enumerate(layers) for y in layer]
edges = [((xs[i], a), (xs[i+1], b)) for i in range(2) for a in layers[i] for b in layers[i+1]]
R_NODE, W_EDGE, RADIUS = 5.0, 2.2, 12.0

svg = ['<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">',
       '<rect width="64" height="64" rx="12" fill="#b7410e"/>',
       '<g stroke="#ffffff" stroke-width="2.2" stroke-linecap="round" opacity="0.85">']
for (x1, y1), (x2, y2) in edges:
    svg.append(f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}"/>')
svg.append('</g><g fill="#ffffff">')
for x, y in nodes:
    svg.append(f'<circle cx="{x}" cy="{y}" r="5"/>')
svg.append('</g></svg>')
open('logo-svg.svg', 'w').write('\n'.join(svg) + '\n')

def seg_dist(px, py, a, b):
    (x1, y1), (x2, y2) = a, b
    dx, dy = x2 - x1, y2 - y1
    t = max(0, min(1, ((px - x1) * dx + (py - y1) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (x1 + t * dx), py - (y1 + t * dy))

def in_rounded(px, py):
    cx = min(max(px, RADIUS), 64 - RADIUS); cy = min(max(py, RADIUS), 64 - RADIUS)
    return math.hypot(px - cx, py - cy) <= RADIUS

def sample(px, py):
    if not in_rounded(px, py):
        return None
    if any(math.hypot(px - x, py - y) <= R_NODE for x, y in nodes):
        return FG
    if any(seg_dist(px, py, a, b) <= W_EDGE / 2 for a, b in edges):
        return tuple(int(0.85 * f + 0.15 * g) for f, g in zip(FG, BG))
    return BG

def png(size, path):
    S = 4; scale = 64 / size
    rows = []
    for j in range(size):
        row = bytearray([0])
        for i in range(size):
            acc = [0, 0, 0]; cover = 0
            for sj in range(S):
                for si in range(S):
                    c = sample((i + (si + 0.5) / S) * scale, (j + (sj + 0.5) / S) * scale)
                    if c:
                        cover += 1
                        for k in range(3): acc[k] += c[k]
            if cover:
                row += bytes([acc[0] // cover, acc[1] // cover, acc[2] // cover, 255 * cover // (S * S)])
            else:
                row += bytes([0, 0, 0, 0])
        rows.append(bytes(row))
    def chunk(t, d): return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)
    data = b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', size, size, 8, 6, 0, 0, 0)) \
        + chunk(b'IDAT', zlib.compress(b''.join(rows), 9)) + chunk(b'IEND', b'')
    open(path, 'wb').write(data)

png(32, 'logo-32x32.png')
png(64, 'logo-64x64.png')
