// SPDX-License-Identifier: UNLICENSED
pragma solidity ^0.8.24;

/// @title xmargin Wormhole payloads, version 2
/// @notice Fixed big-endian layouts, documented in contracts/README.md (the one place).
///         contracts/payloads.ts is the TypeScript twin; tests round-trip the two.
///         Version 2: payouts carry an expiry, and a vault's report of a payout names it.
///         Kind 5 (account indices) is the one variable-length layout: 11 bytes, then 32 a hash.
library XMarginPayloads {
    uint8 internal constant VERSION = 2;

    uint8 internal constant KIND_COLLATERAL_UPDATE = 1;
    uint8 internal constant KIND_EPOCH_ROOT = 2;
    uint8 internal constant KIND_WITHDRAWAL_APPROVAL = 3;
    uint8 internal constant KIND_LIQUIDATION = 4;
    uint8 internal constant KIND_ACCOUNT_INDICES = 5;

    uint8 internal constant ACTION_DEPOSIT = 1;
    uint8 internal constant ACTION_WITHDRAWAL = 2;
    uint8 internal constant ACTION_SEIZURE = 3;
    /// @dev A payout the vault refused (consumed, nothing moved): past its expiry, or beyond the balance.
    uint8 internal constant ACTION_REFUSED_EXPIRED = 4;
    uint8 internal constant ACTION_REFUSED_INSUFFICIENT_BALANCE = 5;

    uint256 internal constant COLLATERAL_UPDATE_LENGTH = 117;
    uint256 internal constant EPOCH_ROOT_LENGTH = 82;
    uint256 internal constant WITHDRAWAL_APPROVAL_LENGTH = 112;
    uint256 internal constant LIQUIDATION_LENGTH = 140;
    uint256 internal constant ACCOUNT_INDICES_HEADER = 11;
    /// @dev Hashes per account-indices message: the hub computes each one (a Poseidon call).
    uint256 internal constant MAX_ACCOUNT_INDICES = 32;

    /// @notice A payload whose version, kind or length is not one of the layouts above.
    error MalformedPayload(uint8 version, uint8 kind, uint256 length);

    struct CollateralUpdate {
        uint8 action;
        uint16 chain;
        address account;
        address token;
        uint256 amount;
        uint256 balance;
        /// @dev 0 for a deposit; for every other action, the hub's id of the payout it settles.
        uint64 payoutId;
    }

    struct EpochRoot {
        uint64 epoch;
        bytes32 stateRoot;
        bytes32 marketRoot;
        uint64 postedAt;
    }

    /// @dev The state-tree leaf indices the hub assigned (E4): accountIdHashes[i] has index first + i.
    struct AccountIndices {
        uint64 first;
        bytes32[] accountIdHashes;
    }

    /// @dev Withdrawal approvals and liquidations share this shape; a liquidation adds recipient and epoch.
    struct Payout {
        uint16 targetChain;
        address vault;
        uint64 id;
        address account;
        address token;
        uint256 amount;
        /// @dev Unix seconds: payable while the target chain's block.timestamp <= expiry.
        uint64 expiry;
        address recipient;
        uint64 epoch;
    }

    function encodeCollateralUpdate(CollateralUpdate memory u) internal pure returns (bytes memory) {
        return abi.encodePacked(
            VERSION, KIND_COLLATERAL_UPDATE, u.action, u.chain, u.account, u.token, u.amount, u.balance, u.payoutId
        );
    }

    function encodeEpochRoot(EpochRoot memory r) internal pure returns (bytes memory) {
        return abi.encodePacked(VERSION, KIND_EPOCH_ROOT, r.epoch, r.stateRoot, r.marketRoot, r.postedAt);
    }

    function encodeWithdrawalApproval(Payout memory p) internal pure returns (bytes memory) {
        return abi.encodePacked(
            VERSION, KIND_WITHDRAWAL_APPROVAL, p.targetChain, p.vault, p.id, p.account, p.token, p.amount, p.expiry
        );
    }

    function encodeLiquidation(Payout memory p) internal pure returns (bytes memory) {
        return abi.encodePacked(
            VERSION,
            KIND_LIQUIDATION,
            p.targetChain,
            p.vault,
            p.id,
            p.account,
            p.token,
            p.amount,
            p.expiry,
            p.recipient,
            p.epoch
        );
    }

    function encodeAccountIndices(AccountIndices memory a) internal pure returns (bytes memory) {
        return abi.encodePacked(
            VERSION, KIND_ACCOUNT_INDICES, a.first, uint8(a.accountIdHashes.length), a.accountIdHashes
        );
    }

    function decodeAccountIndices(bytes memory p) internal pure returns (AccountIndices memory a) {
        _expect(p, KIND_ACCOUNT_INDICES);
        a.first = uint64(_word(p, 2) >> 192);
        uint256 count = uint8(p[10]);
        a.accountIdHashes = new bytes32[](count);
        for (uint256 i = 0; i < count; i++) {
            a.accountIdHashes[i] = bytes32(_word(p, ACCOUNT_INDICES_HEADER + 32 * i));
        }
    }

    /// @notice The kind of a well-formed payload; reverts MalformedPayload otherwise.
    function kindOf(bytes memory payload) internal pure returns (uint8 kind) {
        if (payload.length < 2) revert MalformedPayload(0, 0, payload.length);
        uint8 version = uint8(payload[0]);
        kind = uint8(payload[1]);
        uint256 expected = kind == KIND_COLLATERAL_UPDATE
            ? COLLATERAL_UPDATE_LENGTH
            : kind == KIND_EPOCH_ROOT
                ? EPOCH_ROOT_LENGTH
                : kind == KIND_WITHDRAWAL_APPROVAL
                    ? WITHDRAWAL_APPROVAL_LENGTH
                    : kind == KIND_LIQUIDATION ? LIQUIDATION_LENGTH : kind == KIND_ACCOUNT_INDICES ? _indicesLength(payload) : 0;
        if (version != VERSION || expected == 0 || payload.length != expected) {
            revert MalformedPayload(version, kind, payload.length);
        }
    }

    function decodeCollateralUpdate(bytes memory p) internal pure returns (CollateralUpdate memory u) {
        _expect(p, KIND_COLLATERAL_UPDATE);
        u.action = uint8(_word(p, 2) >> 248);
        u.chain = uint16(_word(p, 3) >> 240);
        u.account = address(uint160(_word(p, 5) >> 96));
        u.token = address(uint160(_word(p, 25) >> 96));
        u.amount = _word(p, 45);
        u.balance = _word(p, 77);
        u.payoutId = uint64(_word(p, 109) >> 192);
        // A deposit settles no payout; every other action settles exactly one (ids start at 1).
        bool deposit = u.action == ACTION_DEPOSIT;
        if (u.action < ACTION_DEPOSIT || u.action > ACTION_REFUSED_INSUFFICIENT_BALANCE || deposit != (u.payoutId == 0))
        {
            revert MalformedPayload(VERSION, KIND_COLLATERAL_UPDATE, p.length);
        }
    }

    function decodeEpochRoot(bytes memory p) internal pure returns (EpochRoot memory r) {
        _expect(p, KIND_EPOCH_ROOT);
        r.epoch = uint64(_word(p, 2) >> 192);
        r.stateRoot = bytes32(_word(p, 10));
        r.marketRoot = bytes32(_word(p, 42));
        r.postedAt = uint64(_word(p, 74) >> 192);
    }

    /// @notice Decodes a withdrawal approval (recipient = account, epoch = 0) or a liquidation.
    function decodePayout(bytes memory p) internal pure returns (uint8 kind, Payout memory o) {
        kind = kindOf(p);
        if (kind != KIND_WITHDRAWAL_APPROVAL && kind != KIND_LIQUIDATION) revert MalformedPayload(VERSION, kind, p.length);
        o.targetChain = uint16(_word(p, 2) >> 240);
        o.vault = address(uint160(_word(p, 4) >> 96));
        o.id = uint64(_word(p, 24) >> 192);
        o.account = address(uint160(_word(p, 32) >> 96));
        o.token = address(uint160(_word(p, 52) >> 96));
        o.amount = _word(p, 72);
        o.expiry = uint64(_word(p, 104) >> 192);
        if (kind == KIND_LIQUIDATION) {
            o.recipient = address(uint160(_word(p, 112) >> 96));
            o.epoch = uint64(_word(p, 132) >> 192);
        } else {
            o.recipient = o.account;
        }
    }

    /// @dev An account-indices payload's length from its count: 1 to MAX_ACCOUNT_INDICES hashes.
    function _indicesLength(bytes memory p) private pure returns (uint256) {
        if (p.length < ACCOUNT_INDICES_HEADER) return 0;
        uint256 count = uint8(p[10]);
        if (count == 0 || count > MAX_ACCOUNT_INDICES) return 0;
        return ACCOUNT_INDICES_HEADER + 32 * count;
    }

    function _expect(bytes memory p, uint8 kind) private pure {
        if (kindOf(p) != kind) revert MalformedPayload(VERSION, uint8(p[1]), p.length);
    }

    /// @dev The 32 bytes at `offset`, zero-padded past the end (lengths are checked by kindOf).
    function _word(bytes memory p, uint256 offset) private pure returns (uint256 w) {
        assembly ("memory-safe") {
            w := mload(add(add(p, 32), offset))
        }
        uint256 available = p.length - offset;
        if (available < 32) w &= ~(type(uint256).max >> (available * 8));
    }
}
