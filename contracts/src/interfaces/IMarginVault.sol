// SPDX-License-Identifier: UNLICENSED
pragma solidity ^0.8.24;

import {IWormholeReceiver} from "./IWormholeReceiver.sol";

/// @title MarginVault: non-custodial collateral on one chain
/// @notice Holds allow-listed ERC-20 collateral per account. Every deposit publishes a
///         collateral-update message for the hub. Funds leave only on a hub-signed VAA
///         (withdrawal approval or liquidation) that names this chain and this vault,
///         and each such VAA pays at most once. Fee-on-transfer tokens are rejected.
interface IMarginVault is IWormholeReceiver {
    /// @notice The token is not on the allow-list.
    error TokenNotAllowed(address token);
    /// @notice The deposit would take the vault's holdings of the token over its cap.
    error CapExceeded(address token, uint256 cap, uint256 wouldHold);
    /// @notice Zero amounts are not deposits.
    error ZeroAmount();
    /// @notice The token delivered a different amount than was transferred (fee-on-transfer).
    error FeeOnTransferToken(address token, uint256 expected, uint256 received);
    /// @notice The account's balance cannot cover the payout.
    error InsufficientBalance(address account, address token, uint256 balance, uint256 amount);

    /// @notice A token was allowed (cap > 0) or disallowed (cap = 0).
    event TokenAllowed(address indexed token, uint256 cap);
    /// @notice Collateral arrived; `sequence` is the Wormhole sequence of its collateral update.
    event Deposited(address indexed account, address indexed token, uint256 amount, uint256 balance, uint64 sequence);
    /// @notice A withdrawal approval or liquidation paid out.
    /// @param liquidation True for a seizure (paid to `recipient`), false for a withdrawal (paid to the account).
    event PaidOut(
        uint64 indexed id,
        address indexed account,
        address indexed token,
        uint256 amount,
        address recipient,
        bool liquidation,
        uint64 sequence
    );

    /// @notice Deposit `amount` of `token` for msg.sender; msg.value must equal the core's messageFee().
    /// @return sequence The Wormhole sequence of the collateral-update message.
    function deposit(address token, uint256 amount) external payable returns (uint64 sequence);

    /// @notice Execute a hub VAA: a withdrawal approval or a liquidation for this vault.
    /// @dev Works while paused: approved funds are never trapped. msg.value pays the
    ///      collateral-update message that reports the payout to the hub.
    function execute(bytes calldata encodedVaa) external payable returns (uint64 sequence);

    /// @notice Allow a token with a cap on the vault's total holdings of it (0 disallows).
    function allowToken(address token, uint256 cap) external;

    /// @notice The account's balance of the token in this vault.
    function balanceOf(address account, address token) external view returns (uint256);

    function pause() external;
    function unpause() external;
}
