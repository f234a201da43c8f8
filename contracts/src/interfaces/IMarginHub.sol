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
interface IMarginHub is IWormholeReceiver, ISolvencyProofErrors, IVerifierBinding {
    /// @notice Only the operator may do this.
    error NotOperator(address caller);
    /// @notice Epochs must strictly increase.
    error EpochNotIncreasing(uint64 latest, uint64 posted);
    /// @notice No vault is registered for that chain.
    error VaultNotRegistered(uint16 chain);
    /// @notice The ledger does not show enough collateral for the approval.
    error InsufficientLedgerBalance(address account, uint16 chain, address token, uint256 balance, uint256 amount);

    /// @notice The proof shows equity >= maintenance margin: nothing to liquidate.
    error NotLiquidatable(address account, uint64 epoch);
    /// @notice The proof is about another account than the one named.
    error WrongAccount(address account, bytes32 accountIdHash);

    event OperatorChanged(address indexed operator);
    event VaultRegistered(uint16 indexed chain, bytes32 emitter);
    /// @notice The ledger took a collateral update (stale ones, older than the last applied, are consumed but not applied).
    event CollateralUpdated(
        address indexed account, uint16 indexed chain, address indexed token, uint256 balance, uint64 sequence, bool applied
    );
    /// @notice In a batch, the VAA at `index` was not applied; `reason` is its revert data.
    event CollateralUpdateSkipped(uint256 index, bytes reason);
    event EpochPosted(uint64 indexed epoch, bytes32 stateRoot, bytes32 marketRoot, uint64 sequence);
    event WithdrawalApproved(
        uint64 indexed id, address indexed account, uint16 indexed chain, address token, uint256 amount, uint64 sequence
    );

    event LiquidationPublished(
        uint64 indexed id,
        address indexed account,
        uint16 indexed chain,
        address token,
        uint256 amount,
        address recipient,
        uint64 epoch,
        uint64 sequence
    );

    /// @notice Register the vault that is the trusted emitter on `chain`.
    function registerVault(uint16 chain, bytes32 emitter) external;

    /// @notice Apply a collateral-update VAA from a registered vault.
    function ingestCollateralUpdate(bytes calldata encodedVaa) external;

    /// @notice Apply several collateral-update VAAs in one transaction (how relayers keep up with
    ///         load). One that reverts is skipped with CollateralUpdateSkipped; the rest apply.
    function ingestCollateralUpdates(bytes[] calldata encodedVaas) external;

    /// @notice Post and publish an epoch's state and market roots; msg.value must equal messageFee().
    function postEpoch(uint64 epoch, bytes32 stateRoot, bytes32 marketRoot) external payable returns (uint64 sequence);

    /// @notice Publish a withdrawal approval for the vault on `chain`; msg.value must equal messageFee().
    function approveWithdrawal(uint16 chain, address account, address token, uint256 amount)
        external
        payable
        returns (uint64 sequence);

    /// @notice Publish a seizure of `amount` of `token` from `account`'s collateral in the vault on
    ///         `chain`, paid to `recipient`, justified by a proof that the account is liquidatable
    ///         (equity below maintenance margin) against the roots of the latest epoch.
    ///         msg.value must equal messageFee().
    /// @param signals coversMaintenance (must be 0), coversInitial, stateRoot, marketRoot, epoch, accountIdHash
    function liquidate(
        SolvencyProof calldata proof,
        uint256[6] calldata signals,
        uint16 chain,
        address account,
        address token,
        uint256 amount,
        address recipient
    ) external payable returns (uint64 sequence);

    /// @notice The roots posted for an epoch (zero if none).
    function epochRoots(uint64 epoch) external view returns (bytes32 stateRoot, bytes32 marketRoot);

    function setOperator(address operator) external;

    /// @notice The ledger: what the account holds of `token` in the vault on `chain`.
    function collateral(address account, uint16 chain, address token) external view returns (uint256);

    function latestEpoch() external view returns (uint64);

    function pause() external;
    function unpause() external;
}
