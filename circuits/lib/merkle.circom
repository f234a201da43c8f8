pragma circom 2.1.0;

include "circomlib/circuits/poseidon.circom";

// Root of a binary Poseidon Merkle tree from a leaf and its path. pathBits[i]
// is 1 when the node at level i is a right child; the caller checks the bits.
template BinaryMerkleRoot(depth) {
    signal input leaf;
    signal input pathBits[depth];
    signal input siblings[depth];
    signal output root;

    signal node[depth + 1];
    signal left[depth];
    component hash[depth];
    node[0] <== leaf;
    for (var i = 0; i < depth; i++) {
        // left = bit ? sibling : node; right = node + sibling - left
        left[i] <== node[i] + pathBits[i] * (siblings[i] - node[i]);
        hash[i] = Poseidon(2);
        hash[i].inputs[0] <== left[i];
        hash[i].inputs[1] <== node[i] + siblings[i] - left[i];
        node[i + 1] <== hash[i].out;
    }
    root <== node[depth];
}

// Root of a quaternary Poseidon tree over all of its 4^depth leaves. When
// many holdings open one small table, hashing the table once costs fewer
// permutations than a path per holding (64 rows: 21 against 3 per holding).
template QuadTreeRoot(depth) {
    var width = 4 ** depth;
    var internal = (width - 1) \ 3;
    signal input leaves[width];
    signal output root;

    // leaves first, then each level's nodes
    signal node[width + internal];
    component hash[internal];
    for (var i = 0; i < width; i++) node[i] <== leaves[i];
    var below = 0;
    var size = width;
    var next = width;
    var h = 0;
    for (var d = 0; d < depth; d++) {
        for (var i = 0; i < size \ 4; i++) {
            hash[h] = Poseidon(4);
            for (var k = 0; k < 4; k++) hash[h].inputs[k] <== node[below + 4 * i + k];
            node[next + i] <== hash[h].out;
            h++;
        }
        below = next;
        next += size \ 4;
        size = size \ 4;
    }
    root <== node[width + internal - 1];
}
