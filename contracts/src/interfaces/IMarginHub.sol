// SPDX-License-Identifier: UNLICENSED
pragma solidity ^0.8.24;

import {ISolvencyProofErrors, IVerifierBinding, SolvencyProof} from "./ISolvencyVerifier.sol";
import {IWormholeReceiver} from "./IWormholeReceiver.sol";

/// @title MarginHub: the hub chain's ledger, epoch roots and payout approvals
/// @notice Ingests collateral updates from registered vaults into a per account, chain
///         and token ledger; the operator posts epoch roots (published to every chain)
///         and approves withdrawals (published to the vault they name). A liquidation
///         (a seizure published to one vault) needs a valid proof that the account is
///         liquidatable at the latest epoch, checked by the verifier the owner bound once
///         (until then liquidate reverts VerifierNotBound).
///
///         Every payout (withdrawal approval or seizure) reserves its amount on the ledger
///         entry it is paid from until the vault reports its outcome: for each account,
///         chain and token, the reserved amount never exceeds what the ledger held when it
///         was reserved (E2). A payout carries an expiry the hub stamps, block.timestamp
///         plus payoutLifetime (E3); the vault pays it only until then. The vault's report
///         (a collateral update naming the payout) settles it: paid (the report's balance
///         debits the ledger) or refused (expired, insufficient balance: nothing moved) and
///         releases the reservation either way. Only that report releases it: the hub's
///         clock never does, since the vault's chain keeps its own time and a payout in
///         flight may still be paid there.
interface IMarginHub is IWormholeReceiver, ISolvencyProofErrors, IVerifierBinding {
    /// @notice Where a payout stands.
    /// @dev None: no such id. Outstanding: reserved, not yet reported. The rest are final.
    enum PayoutStatus {
        None,
        Outstanding,
        Paid,
        Expired,
        RefusedInsufficientBalance
    }

    /// @notice A payout as the hub recorded it.
    struct Payout {
        address account;
        uint16 chain;
        /// @dev Unix seconds; the vault pays while its block.timestamp <= expiry.
        uint64 expiry;
        PayoutStatus status;
        /// @dev True for a liquidation (paid to its recipient), false for a withdrawal.
        bool seizure;
        address token;
        uint256 amount;
    }

    /// @notice Only the operator may do this.
    error NotOperator(address caller);
    /// @notice Epochs must strictly increase.
    error EpochNotIncreasing(uint64 latest, uint64 posted);
    /// @notice An epoch may exceed the latest by at most maxEpochStep (E8), so that no epoch
    ///         number near 2^64 can be posted and leave no room after it.
    error EpochStepTooLarge(uint64 latest, uint64 posted, uint64 maxStep);
    /// @notice The epoch step must lie in [1, MAX_EPOCH_STEP].
    error EpochStepOutOfRange(uint64 step);
    /// @notice Account indices are published 1 to 32 at a time.
    error AccountIndicesCount(uint256 count);
    /// @notice The account at `position` has no leaf index, or not the one after its predecessor's.
    error NotIndexedInOrder(uint256 position, address account);
    /// @notice No vault is registered for that chain.
    error VaultNotRegistered(uint16 chain);
    /// @notice The ledger's balance less what outstanding payouts reserve does not cover the payout.
    /// @param balance The ledger's balance.
    /// @param reserved What outstanding payouts reserve of it.
    error InsufficientLedgerBalance(
        address account, uint16 chain, address token, uint256 balance, uint256 reserved, uint256 amount
    );
    /// @notice A payout of zero is not a payout.
    error ZeroAmount();
    /// @notice The payout lifetime must lie in [min, max] seconds.
    error PayoutLifetimeOutOfRange(uint32 lifetime, uint32 min, uint32 max);

    /// @notice The proof shows equity >= maintenance margin: nothing to liquidate.
    error NotLiquidatable(address account, uint64 epoch);
    /// @notice The proof is about another account than the one named.
    error WrongAccount(address account, bytes32 accountIdHash);

    event OperatorChanged(address indexed operator);
    /// @notice The account's first credit gave it this state-tree leaf index (E4), for good.
    event AccountIndexed(address indexed account, uint64 index);
    /// @notice Every leaf index of the depth-20 state tree is taken: the account's deposit is on
    ///         the ledger (and withdrawable), but it has no leaf, so it cannot be proven; the
    ///         aggregator admits no risk for an account without an index (E9).
    event AccountNotIndexed(address indexed account);
    /// @notice Indices first..first+count-1 were published for the registries (as accountIdHashes).
    event AccountIndicesPublished(uint64 first, uint256 count, uint64 sequence);
    event MaxEpochStepChanged(uint64 step);
    event VaultRegistered(uint16 indexed chain, bytes32 emitter);
    /// @notice The ledger took a collateral update (stale ones, older than the last applied, are consumed but not applied).
    event CollateralUpdated(
        address indexed account, uint16 indexed chain, address indexed token, uint256 balance, uint64 sequence, bool applied
    );
    /// @notice In a batch, the VAA at `index` was not applied; `reason` is its revert data.
    event CollateralUpdateSkipped(uint256 index, bytes reason);
    event EpochPosted(uint64 indexed epoch, bytes32 stateRoot, bytes32 marketRoot, uint64 sequence);
    /// @notice A withdrawal approval was published, reserving `amount` until the vault reports it.
    /// @param expiry Unix seconds: the vault pays it while its block.timestamp <= expiry.
    event WithdrawalApproved(
        uint64 indexed id,
        address indexed account,
        uint16 indexed chain,
        address token,
        uint256 amount,
        uint64 expiry,
        uint64 sequence
    );

    event LiquidationPublished(
        uint64 indexed id,
        address indexed account,
        uint16 indexed chain,
        address token,
        uint256 amount,
        address recipient,
        uint64 epoch,
        uint64 expiry,
        uint64 sequence
    );
    /// @notice The vault reported a payout's outcome; its reservation is released.
    /// @param status Paid, Expired or RefusedInsufficientBalance.
    event PayoutSettled(
        uint64 indexed id,
        address indexed account,
        uint16 indexed chain,
        address token,
        uint256 amount,
        PayoutStatus status
    );
    /// @notice A vault report named a payout that is unknown, already settled, or recorded with
    ///         other fields: it settles nothing (its balance still applies like any update).
    event PayoutReportIgnored(uint64 indexed id, uint16 indexed chain);
    /// @notice New payouts get this lifetime; payouts already published keep their expiry.
    event PayoutLifetimeChanged(uint32 lifetime);

    /// @notice Register the vault that is the trusted emitter on `chain`.
    function registerVault(uint16 chain, bytes32 emitter) external;

    /// @notice Apply a collateral-update VAA from a registered vault: its absolute balance if it
    ///         is newer than the last applied for that account, chain and token, and, if it
    ///         reports a payout (paid or refused), settle that payout and release its reservation
    ///         (PayoutSettled; PayoutReportIgnored for an unknown or already-settled id).
    function ingestCollateralUpdate(bytes calldata encodedVaa) external;

    /// @notice Apply several collateral-update VAAs in one transaction (how relayers keep up with
    ///         load). One that reverts is skipped with CollateralUpdateSkipped; the rest apply.
    function ingestCollateralUpdates(bytes[] calldata encodedVaas) external;

    /// @notice Post and publish an epoch's state and market roots; msg.value must equal messageFee().
    ///         The epoch must exceed the latest by 1 to maxEpochStep (E8).
    function postEpoch(uint64 epoch, bytes32 stateRoot, bytes32 marketRoot) external payable returns (uint64 sequence);

    /// @notice Publish a withdrawal approval for the vault on `chain`, reserving `amount` of the
    ///         ledger entry and expiring payoutLifetime seconds from now; msg.value must equal
    ///         messageFee(). Reverts InsufficientLedgerBalance when balance - reserved < amount.
    /// @dev The engine's withdrawable check on the live state (E7) is the operator's, before this.
    function approveWithdrawal(uint16 chain, address account, address token, uint256 amount)
        external
        payable
        returns (uint64 sequence);

    /// @notice Publish a seizure of `amount` of `token` from `account`'s collateral in the vault on
    ///         `chain`, paid to `recipient`, justified by a proof that the account is liquidatable
    ///         (equity below maintenance margin) against the roots of the latest epoch.
    ///         Reserves and expires like a withdrawal approval. msg.value must equal messageFee().
    /// @param signals coversMaintenance (must be 0), coversInitial, stateRoot, marketRoot, epoch, accountIdHash,
    ///        leafIndex (the account's, E4)
    function liquidate(
        SolvencyProof calldata proof,
        uint256[7] calldata signals,
        uint16 chain,
        address account,
        address token,
        uint256 amount,
        address recipient
    ) external payable returns (uint64 sequence);

    /// @notice Publish the leaf indices of `accounts` (1 to 32, with consecutive indices, in
    ///         order) as accountIdHashes for every registry (anyone: msg.value must equal
    ///         messageFee()). The indices and hashes are the hub's own, so no caller can forge
    ///         one, and a trader whose index the operator never publishes can publish it.
    function publishAccountIndices(address[] calldata accounts) external payable returns (uint64 sequence);

    /// @notice The account's state-tree leaf index, assigned on its first credit (E4).
    function leafIndexOf(address account) external view returns (bool assigned, uint64 index);

    /// @notice How many accounts have a leaf index (indices 0 to accountCount - 1).
    function accountCount() external view returns (uint32);

    /// @notice Set how far past the latest a posted epoch may be (owner only), in [1, MAX_EPOCH_STEP].
    function setMaxEpochStep(uint64 step) external;

    /// @notice How far past the latest a posted epoch may be.
    function maxEpochStep() external view returns (uint64);

    /// @notice The roots posted for an epoch (zero if none).
    function epochRoots(uint64 epoch) external view returns (bytes32 stateRoot, bytes32 marketRoot);

    function setOperator(address operator) external;

    /// @notice Set the lifetime of payouts published from now on (owner only), in
    ///         [MIN_PAYOUT_LIFETIME, MAX_PAYOUT_LIFETIME] seconds.
    function setPayoutLifetime(uint32 lifetime) external;

    /// @notice Seconds from publication to a payout's expiry.
    function payoutLifetime() external view returns (uint32);

    /// @notice What outstanding payouts reserve of the ledger entry (account, chain, token).
    function reserved(address account, uint16 chain, address token) external view returns (uint256);

    /// @notice The payout with this id (status None if there is none).
    function payout(uint64 id) external view returns (Payout memory);

    /// @notice The ledger: what the account holds of `token` in the vault on `chain`.
    function collateral(address account, uint16 chain, address token) external view returns (uint256);

    function latestEpoch() external view returns (uint64);

    function pause() external;
    function unpause() external;
}
