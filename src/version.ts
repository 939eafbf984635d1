export const ACTION_NAME = 'promote-encrypted-ami';
export const ACTION_VERSION = '1.0.0';
