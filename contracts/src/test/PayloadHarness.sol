// SPDX-License-Identifier: UNLICENSED
pragma solidity ^0.8.24;

import {XMarginPayloads as P} from "../libraries/XMarginPayloads.sol";

/// @title Exposes the Solidity payload codec so tests can round-trip it against contracts/payloads.ts
contract PayloadHarness {
    function decodeCollateralUpdate(bytes memory p) external pure returns (P.CollateralUpdate memory) {
        return P.decodeCollateralUpdate(p);
    }

    function decodeEpochRoot(bytes memory p) external pure returns (P.EpochRoot memory) {
        return P.decodeEpochRoot(p);
    }

    function decodeAccountIndices(bytes memory p) external pure returns (P.AccountIndices memory) {
        return P.decodeAccountIndices(p);
    }

    function encodeAccountIndices(P.AccountIndices memory a) external pure returns (bytes memory) {
        return P.encodeAccountIndices(a);
    }

    function decodePayout(bytes memory p) external pure returns (uint8 kind, P.Payout memory) {
        return P.decodePayout(p);
    }

    function encodeCollateralUpdate(P.CollateralUpdate memory u) external pure returns (bytes memory) {
        return P.encodeCollateralUpdate(u);
    }

    function encodeEpochRoot(P.EpochRoot memory r) external pure returns (bytes memory) {
        return P.encodeEpochRoot(r);
    }

    function encodeWithdrawalApproval(P.Payout memory o) external pure returns (bytes memory) {
        return P.encodeWithdrawalApproval(o);
    }

    function encodeLiquidation(P.Payout memory o) external pure returns (bytes memory) {
        return P.encodeLiquidation(o);
    }
}
