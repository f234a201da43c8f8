pragma circom 2.1.0;

// XM-1 solvency of one account against committed state and market data.
//
// PROVES, for public (stateRoot, marketRoot, epoch, accountIdHash, leafIndex):
//   - a leaf Poseidon(accountId, salt, cash, positions, collateral) sits at
//     index leafIndex (< 2^20) of the depth-20 binary state tree with root
//     stateRoot, and accountIdHash = Poseidon(accountId);
//   - every used holding's market row (underlying, mark, short option
//     minimum, 16 risk-array entries) is in the market tables behind
//     marketRoot (each table's row digests are hashed into it once, and
//     each holding picks its row's digest by index);
//   - equity, scan risk per underlying with its direction, spread credits,
//     short option minimum, maintenance and initial margin are computed as
//     XM-1 prescribes from those rows, rounded against the account;
//   - the outputs coversMaintenance = (equity >= MM) and coversInitial =
//     (equity >= IM) are those figures' comparisons.
//
// DOES NOT ENFORCE:
//   - that leafIndex is the account's one leaf (trust model E4): the hub
//     assigns each account its index on its first credit, and the hub and
//     every registry check the proof's leafIndex against that assignment;
//     the tree itself may hold another leaf naming the same account;
//   - that the market rows are right (prices, Black-76 risk arrays, haircuts):
//     the market table is public, and anyone can recompute it and its root;
//   - that the state tree holds the account's true on-chain balances;
//   - range checks on the risk-array entries (public, checked by the table
//     builder); marks and short option minimums are checked to 64 bits,
//     because the row hash packs them;
//   - anything about accounts larger than the caps: |quantity| < 2^64 (1e-8
//     units), entry price < 2^48 (1e-6 USD), |cash| < 2^64 (1e-6 USD), and
//     every scenario loss and the equity within ±2^84 of 1e-14 USD (~1.9e11
//     USD): such accounts cannot be proved at all.

include "circomlib/circuits/poseidon.circom";
include "circomlib/circuits/bitify.circom";
include "./lib/range.circom";
include "./lib/merkle.circom";
include "./lib/table.circom";
include "./lib/holding.circom";
include "./lib/scan.circom";
include "./lib/credits.circom";

template Solvency(P, C, U, K, stateDepth, instrumentBits, assetBits) {
    var N = 84;            // bits of a loss or equity in 1e-14 USD
    var ENTRY_BITS = 48;
    var H = P + C;

    // public
    signal input stateRoot;
    signal input marketRoot;
    signal input epoch;
    signal input accountIdHash;
    signal input leafIndex;
    signal output coversMaintenance;
    signal output coversInitial;

    // account leaf
    signal input accountId;
    signal input salt;
    signal input cashAbs;          // 1e-6 USD
    signal input cashNeg;
    signal input stateSiblings[stateDepth];

    // holdings: positions then collateral
    signal input posIndex[P];
    signal input posQAbs[P];
    signal input posQNeg[P];
    signal input posEntry[P];
    signal input colIndex[C];
    signal input colAmount[C];

    // their market rows and paths
    signal input rowTag[H];
    signal input rowMark[H];
    signal input rowSom[H];
    signal input rowEntries[H][16];

    // market: every row digest of the two tables, and the parameters
    signal input instrumentRows[1 << instrumentBits];
    signal input assetRows[1 << assetBits];
    signal input imFactor;         // 1e-6
    signal input creditLegA[K];
    signal input creditLegB[K];
    signal input creditRate[K];    // 1e-6

    // the account's underlyings (distinct) and each holding's slot
    signal input slotU[U];
    signal input slotOf[H][U];

    // ---- market root
    component params = Poseidon(1 + 3 * K);
    params.inputs[0] <== imFactor;
    for (var c = 0; c < K; c++) {
        params.inputs[1 + 3 * c] <== creditLegA[c];
        params.inputs[2 + 3 * c] <== creditLegB[c];
        params.inputs[3 + 3 * c] <== creditRate[c];
    }
    component instruments = TableRoot((1 << instrumentBits) \ 16);
    instruments.rows <== instrumentRows;
    component assets = TableRoot((1 << assetBits) \ 16);
    assets.rows <== assetRows;
    component market = Poseidon(3);
    market.inputs[0] <== instruments.root;
    market.inputs[1] <== assets.root;
    market.inputs[2] <== params.out;
    market.out === marketRoot;

    // ---- holdings
    component hold[H];
    for (var h = 0; h < H; h++) {
        var isPos = h < P;
        hold[h] = Holding(isPos ? instrumentBits : assetBits, ENTRY_BITS);
        if (isPos) {
            hold[h].index <== posIndex[h];
            hold[h].qAbs <== posQAbs[h];
            hold[h].qNeg <== posQNeg[h];
            hold[h].entry <== posEntry[h];
            hold[h].rows <== instrumentRows;
        } else {
            // collateral: never negative, no entry price
            hold[h].index <== colIndex[h - P];
            hold[h].qAbs <== colAmount[h - P];
            hold[h].qNeg <== 0;
            hold[h].entry <== 0;
            hold[h].rows <== assetRows;
        }
        hold[h].tag <== rowTag[h];
        hold[h].mark <== rowMark[h];
        hold[h].som <== rowSom[h];
        for (var k = 0; k < 16; k++) hold[h].entries[k] <== rowEntries[h][k];
    }

    // ---- leaf, state root, account id
    component cashRange = RangeCheck(64);
    cashRange.in <== cashAbs;
    component cashBit = AssertBit();
    cashBit.in <== cashNeg;

    var POS_BITS = instrumentBits + 65 + ENTRY_BITS;
    var COL_BITS = assetBits + 65;
    var posFields = (P + 1) \ 2;
    var colFields = (C + 2) \ 3;
    component leaf = Poseidon(3 + posFields + colFields);
    leaf.inputs[0] <== accountId;
    leaf.inputs[1] <== salt;
    leaf.inputs[2] <== cashAbs + cashNeg * (1 << 64);
    for (var f = 0; f < posFields; f++) {
        var v = 0;
        for (var i = 0; i < 2 && 2 * f + i < P; i++) v += hold[2 * f + i].packed * (1 << (i * POS_BITS));
        leaf.inputs[3 + f] <== v;
    }
    for (var f = 0; f < colFields; f++) {
        var v = 0;
        for (var i = 0; i < 3 && 3 * f + i < C; i++) v += hold[P + 3 * f + i].packed * (1 << (i * COL_BITS));
        leaf.inputs[3 + posFields + f] <== v;
    }

    // the path is the public index's bits (low bit first: the leaf's side at
    // the bottom), so the index is range-checked to 20 bits and names the leaf
    component path = Num2Bits(stateDepth);
    path.in <== leafIndex;
    component state = BinaryMerkleRoot(stateDepth);
    state.leaf <== leaf.out;
    for (var i = 0; i < stateDepth; i++) {
        state.pathBits[i] <== path.out[i];
        state.siblings[i] <== stateSiblings[i];
    }
    state.root === stateRoot;

    component idHash = Poseidon(1);
    idHash.inputs[0] <== accountId;
    idHash.out === accountIdHash;

    // epoch is checked by the verifier against the posted roots; squaring it
    // binds it to the proof
    signal epochSquared <== epoch * epoch;

    // ---- slots: each holding with price risk sits in the slot of its underlying
    signal slotInv[U][U];
    for (var i = 0; i < U; i++) {
        for (var j = i + 1; j < U; j++) {
            slotInv[i][j] <-- 1 / (slotU[i] - slotU[j]);
            (slotU[i] - slotU[j]) * slotInv[i][j] === 1;
        }
    }
    signal qIn[H][U];
    signal shortIn[H][U];
    signal slotPart[H][U];
    component slotBit[H][U];
    for (var h = 0; h < H; h++) {
        var count = 0;
        var matched = 0;
        for (var j = 0; j < U; j++) {
            slotBit[h][j] = AssertBit();
            slotBit[h][j].in <== slotOf[h][j];
            count += slotOf[h][j];
            slotPart[h][j] <== slotOf[h][j] * slotU[j];
            matched += slotPart[h][j];
            qIn[h][j] <== slotOf[h][j] * hold[h].q;
            shortIn[h][j] <== slotOf[h][j] * hold[h].shortUnits;
        }
        count === 1 - hold[h].noRisk;
        // for a used holding the slot's underlying is the row's (15 - 15 when none)
        (matched - hold[h].underlying + 15 * hold[h].noRisk) * hold[h].qAbs === 0;
    }

    // ---- scan risk per slot
    signal exposure[U][16][H];
    component scan[U];
    var totalRisk = 0;
    for (var j = 0; j < U; j++) {
        scan[j] = ScanRisk(N);
        for (var k = 0; k < 16; k++) {
            var loss = 0;
            for (var h = 0; h < H; h++) {
                exposure[j][k][h] <== qIn[h][j] * hold[h].entriesOut[k];
                loss += shortIn[h][j] - exposure[j][k][h];
            }
            scan[j].loss[k] <== loss;
        }
        totalRisk += scan[j].L;
    }

    component credits = SpreadCredits(U, K, N);
    for (var j = 0; j < U; j++) {
        credits.slotU[j] <== slotU[j];
        credits.dir[j] <== scan[j].dir;
        credits.risk[j] <== scan[j].L;
    }
    for (var c = 0; c < K; c++) {
        credits.legA[c] <== creditLegA[c];
        credits.legB[c] <== creditLegB[c];
        credits.rate[c] <== creditRate[c];
    }

    // ---- requirements (1e-20 USD) and outcome
    var equity = cashAbs * 100000000 - 2 * cashNeg * cashAbs * 100000000;
    var som = 0;
    for (var h = 0; h < H; h++) {
        equity += hold[h].value;
        som += hold[h].som14;
    }
    signal equity14 <== equity;
    component equityRange = SignedRangeCheck(N);
    equityRange.in <== equity14;
    signal som14 <== som;
    component somRange = RangeCheck(N);
    somRange.in <== som14;

    signal scanRisk20 <== totalRisk * 1000000 - credits.total;
    component scanRange = RangeCheck(N + 22);
    scanRange.in <== scanRisk20;
    component somBelow = Below(N + 22);
    somBelow.a <== scanRisk20;
    somBelow.b <== som14 * 1000000;
    signal mm20 <== scanRisk20 + somBelow.out * (som14 * 1000000 - scanRisk20);

    component factorRange = RangeCheck(32);
    factorRange.in <== imFactor;
    signal im26 <== mm20 * imFactor;

    // equity >= MM, both shifted by 2^(N+22) to compare signed values
    component belowMm = Below(N + 24);
    belowMm.a <== equity14 * 1000000 + (1 << (N + 22));
    belowMm.b <== mm20 + (1 << (N + 22));
    coversMaintenance <== 1 - belowMm.out;

    component belowIm = Below(N + 56);
    belowIm.a <== equity14 * 1000000000000 + (1 << (N + 54));
    belowIm.b <== im26 + (1 << (N + 54));
    coversInitial <== 1 - belowIm.out;
}

component main {public [stateRoot, marketRoot, epoch, accountIdHash, leafIndex]} = Solvency(16, 8, 4, 4, 20, 6, 4);
