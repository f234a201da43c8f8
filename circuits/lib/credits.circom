pragma circom 2.1.0;

include "./range.circom";

// Finds which of the account's underlying slots holds `leg`, if any: sel is
// one-hot on that slot, or all zero when no slot holds it (proved by the
// product of the differences being invertible). Slots hold distinct values.
template LegSlot(slots) {
    signal input leg;
    signal input slotU[slots];
    signal output sel[slots];

    var found = 0;
    var matched = 0;
    signal part[slots];
    component bit[slots];
    for (var j = 0; j < slots; j++) {
        sel[j] <-- slotU[j] == leg ? 1 : 0;
        bit[j] = AssertBit();
        bit[j].in <== sel[j];
        found += sel[j];
        part[j] <== sel[j] * slotU[j];
        matched += part[j];
    }
    signal s <== found;
    s * (s - 1) === 0;
    s * (matched - leg) === 0;

    signal prod[slots];
    prod[0] <== slotU[0] - leg;
    for (var j = 1; j < slots; j++) prod[j] <== prod[j - 1] * (slotU[j] - leg);
    signal inv <-- prod[slots - 1] != 0 ? 1 / prod[slots - 1] : 0;
    signal one <== prod[slots - 1] * inv;
    (1 - s) * (one - 1) === 0;
}

// Inter-underlying spread credits, walked in order (XM-1 section 5). For
// each credit whose legs the account holds in opposite directions, the
// smaller remaining scan risk m of the two is consumed from both and
// rate * m is credited. Risks are in 1e-14 USD below 2^n; rates in 1e-6, so
// the credit is in 1e-20 USD.
template SpreadCredits(slots, credits, n) {
    signal input slotU[slots];
    signal input dir[slots];
    signal input risk[slots];
    signal input legA[credits];
    signal input legB[credits];
    signal input rate[credits];
    signal output total;

    signal avail[credits + 1][slots];
    for (var j = 0; j < slots; j++) avail[0][j] <== risk[j];

    component a[credits];
    component b[credits];
    component lt[credits];
    signal dA[credits][slots];
    signal dB[credits][slots];
    signal vA[credits][slots];
    signal vB[credits][slots];
    signal both[credits];
    signal eligible[credits];
    signal m[credits];
    signal used[credits];
    signal gained[credits];
    signal taken[credits][slots];
    var sum = 0;
    for (var c = 0; c < credits; c++) {
        a[c] = LegSlot(slots);
        b[c] = LegSlot(slots);
        a[c].leg <== legA[c];
        b[c].leg <== legB[c];
        var dirA = 0;
        var dirB = 0;
        var availA = 0;
        var availB = 0;
        for (var j = 0; j < slots; j++) {
            a[c].slotU[j] <== slotU[j];
            b[c].slotU[j] <== slotU[j];
        }
        for (var j = 0; j < slots; j++) {
            dA[c][j] <== a[c].sel[j] * dir[j];
            dB[c][j] <== b[c].sel[j] * dir[j];
            vA[c][j] <== a[c].sel[j] * avail[c][j];
            vB[c][j] <== b[c].sel[j] * avail[c][j];
            dirA += dA[c][j];
            dirB += dB[c][j];
            availA += vA[c][j];
            availB += vB[c][j];
        }
        // dirA * dirB is -1 exactly when both are non-zero and opposite
        both[c] <== dirA * dirB;
        eligible[c] <== (both[c] * both[c] - both[c]) / 2;
        lt[c] = Below(n);
        lt[c].a <== availA;
        lt[c].b <== availB;
        m[c] <== availB + lt[c].out * (availA - availB);
        used[c] <== eligible[c] * m[c];
        gained[c] <== rate[c] * used[c];
        sum += gained[c];
        for (var j = 0; j < slots; j++) {
            taken[c][j] <== (a[c].sel[j] + b[c].sel[j]) * used[c];
            avail[c + 1][j] <== avail[c][j] - taken[c][j];
        }
    }
    total <== sum;
}
